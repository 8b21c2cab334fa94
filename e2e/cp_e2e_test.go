//go:build linux

package e2e

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/creack/pty"
)

// cpSetup fills a busybox container with what the cp tests copy.
const cpSetup = `mkdir -p /d/sub && echo a > /d/f && echo b > /d/sub/g && ln -s /etc/shadow /d/link &&
echo secret > /secret && ln -s /secret /d/tosecret && chown 1234:5678 /d/f && touch /ready`

// startCpContainer makes container name, running or stopped.
func startCpContainer(t *testing.T, root, name string, running bool) {
	t.Helper()
	if !running {
		mustPocket(t, root, "run", "--name", name, "--network", "none", "busybox", "sh", "-c", cpSetup)
		return
	}
	mustPocket(t, root, "run", "-d", "--name", name, "--network", "none", "busybox", "sh", "-c", cpSetup+"; exec sleep 1000")
	t.Cleanup(func() { pocket(t, root, "rm", "-f", name) })
	eventually(t, "the container is set up", func() bool {
		return pocket(t, root, "cp", name+":/ready", filepath.Join(t.TempDir(), "ready")).Code == 0
	})
}

// tarEntries reads a tar stream into name -> header, and contents.
func tarEntries(t *testing.T, data string) (map[string]*tar.Header, map[string]string) {
	t.Helper()
	hdrs, bodies := map[string]*tar.Header{}, map[string]string{}
	tr := tar.NewReader(strings.NewReader(data))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return hdrs, bodies
		}
		if err != nil {
			t.Fatalf("tar stream: %v", err)
		}
		b, _ := io.ReadAll(tr)
		hdrs[h.Name], bodies[h.Name] = h, string(b)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCp: docker cp's path rules both ways, for a running and a stopped
// container.
func TestCp(t *testing.T) {
	for _, running := range []bool{true, false} {
		name := "stopped"
		if running {
			name = "running"
		}
		t.Run(name, func(t *testing.T) {
			root := newRoot(t)
			startCpContainer(t, root, "ctr", running)
			host := t.TempDir()
			at := func(p ...string) string { return filepath.Join(append([]string{host}, p...)...) }

			// A file to a new path, and into an existing directory.
			mustPocket(t, root, "cp", "ctr:/d/f", at("f1"))
			os.Mkdir(at("into"), 0o755)
			mustPocket(t, root, "cp", "ctr:/d/f", at("into"))
			if readFile(t, at("f1")) != "a\n" || readFile(t, at("into", "f")) != "a\n" {
				t.Errorf("file copies hold %q, %q", readFile(t, at("f1")), readFile(t, at("into", "f")))
			}
			// Copied to the host, files belong to the user running cp.
			if uid := ownerOf(t, at("f1")); uid != 0 {
				t.Errorf("copied file owned by %d, want 0 (the user running cp)", uid)
			}
			// A directory into an existing one, its contents ("/."), and
			// to a new path, which takes its name.
			os.Mkdir(at("dir1"), 0o755)
			os.Mkdir(at("dir2"), 0o755)
			mustPocket(t, root, "cp", "ctr:/d", at("dir1"))
			mustPocket(t, root, "cp", "ctr:/d/.", at("dir2"))
			mustPocket(t, root, "cp", "ctr:/d", at("dir3"))
			for _, p := range []string{at("dir1", "d", "sub", "g"), at("dir2", "sub", "g"), at("dir3", "sub", "g")} {
				if got := readFile(t, p); got != "b\n" {
					t.Errorf("%s = %q, want b", p, got)
				}
			}
			// A directory onto a file, a file to a missing directory.
			if r := pocket(t, root, "cp", "ctr:/d", at("f1")); r.Code != 1 || !strings.Contains(r.Stderr, "cannot copy directory") {
				t.Errorf("cp of a directory onto a file: %s", r)
			}
			if r := pocket(t, root, "cp", "ctr:/d/f", at("nodir")+"/"); r.Code != 1 || !strings.Contains(r.Stderr, "no such directory") {
				t.Errorf("cp of a file to a missing dir/: %s", r)
			}
			// Docker's words for a missing path, exit 1.
			r := pocket(t, root, "cp", "ctr:/nothing", at("x"))
			if r.Code != 1 || !strings.Contains(r.Stderr, "Could not find the file /nothing in container ctr") {
				t.Errorf("cp of a missing path: %s", r)
			}
			// A symlink that points out of the container is copied as the
			// link, never as the host file it would name here.
			mustPocket(t, root, "cp", "ctr:/d/link", at("link"))
			if target, err := os.Readlink(at("link")); err != nil || target != "/etc/shadow" {
				t.Errorf("copied link: %q, %v; want a symlink to /etc/shadow", target, err)
			}
			// -L follows it, inside the container.
			mustPocket(t, root, "cp", "-L", "ctr:/d/tosecret", at("followed"))
			if got := readFile(t, at("followed")); got != "secret\n" {
				t.Errorf("cp -L copied %q, want the container's /secret", got)
			}
			// "-" streams a tar, with numeric owners.
			hdrs, bodies := tarEntries(t, mustPocket(t, root, "cp", "ctr:/d", "-").Stdout)
			if bodies["d/sub/g"] != "b\n" || hdrs["d/f"] == nil || hdrs["d/f"].Uid != 1234 || hdrs["d/f"].Gid != 5678 ||
				hdrs["d/link"] == nil || hdrs["d/link"].Linkname != "/etc/shadow" {
				t.Errorf("cp c:/d - gave entries %v", hdrs)
			}

			// Into the container: a host file owned by 4321 becomes
			// root's, or keeps its owner with -a.
			os.WriteFile(at("up"), []byte("up\n"), 0o640)
			os.Chown(at("up"), 4321, 4321)
			mustPocket(t, root, "cp", at("up"), "ctr:/d/")
			mustPocket(t, root, "cp", "-a", at("up"), "ctr:/d/up-a")
			os.MkdirAll(at("updir", "x"), 0o755)
			os.WriteFile(at("updir", "x", "y"), []byte("y\n"), 0o644)
			mustPocket(t, root, "cp", at("updir"), "ctr:/newdir")
			mustPocket(t, root, "cp", at("updir")+"/.", "ctr:/d/sub")
			var tarball bytes.Buffer
			tw := tar.NewWriter(&tarball)
			tw.WriteHeader(&tar.Header{Name: "fromtar", Mode: 0o644, Size: 3, Typeflag: tar.TypeReg, Uid: 7})
			tw.Write([]byte("tar"))
			tw.Close()
			cmd := pocketCmd(t, root, "cp", "-", "ctr:/d")
			cmd.Stdin = &tarball
			if r := runToEnd(t, cmd, "pocket cp - ctr:/d"); r.Code != 0 {
				t.Fatalf("cp - ctr:/d: %s", r)
			}
			hdrs, bodies = tarEntries(t, mustPocket(t, root, "cp", "ctr:/", "-").Stdout)
			for name, want := range map[string]string{"./d/up": "up\n", "./d/up-a": "up\n", "./newdir/x/y": "y\n", "./d/sub/x/y": "y\n", "./d/fromtar": "tar"} {
				if bodies[name] != want {
					t.Errorf("in the container %s = %q, want %q", name, bodies[name], want)
				}
			}
			if h := hdrs["./d/up"]; h == nil || h.Uid != 0 || h.Gid != 0 || h.Mode&0o777 != 0o640 {
				t.Errorf("copied in: %+v, want 0:0 mode 640", h)
			}
			if h := hdrs["./d/up-a"]; h == nil || h.Uid != 4321 || h.Gid != 4321 {
				t.Errorf("copied in with -a: %+v, want 4321:4321", h)
			}
			if h := hdrs["./d/fromtar"]; h == nil || h.Uid != 0 {
				t.Errorf("extracted from stdin: %+v, want uid 0", h)
			}
			if r := pocket(t, root, "cp", at("up"), "ctr:/nothere/f"); r.Code != 1 || !strings.Contains(r.Stderr, "Could not find the file /nothere in container ctr") {
				t.Errorf("cp into a missing directory: %s", r)
			}
		})
	}
}

// TestCpSymlinkParentToRoot: CVE-2018-15664's target. The container makes
// /escape a symlink to "/" and the host path is mirrored inside; `cp FILE
// c:/escape/<dir>/pwned` must write the container's <dir>, never the
// host's. Resolved by name through /proc/PID/root, or on a stopped
// container's mounted rootfs, the link would lead to the host's /.
func TestCpSymlinkParentToRoot(t *testing.T) {
	hostDir := t.TempDir()
	src := filepath.Join(t.TempDir(), "payload")
	os.WriteFile(src, []byte("pwned\n"), 0o644)
	for _, running := range []bool{true, false} {
		t.Run(fmt.Sprintf("running=%v", running), func(t *testing.T) {
			root := newRoot(t)
			setup := "ln -s / /escape && mkdir -p " + hostDir + " && touch /ready"
			if running {
				mustPocket(t, root, "run", "-d", "--name", "ctr", "--network", "none", "busybox", "sh", "-c", setup+"; exec sleep 1000")
				defer pocket(t, root, "rm", "-f", "ctr")
				eventually(t, "the container is set up", func() bool {
					return pocket(t, root, "cp", "ctr:/ready", filepath.Join(t.TempDir(), "ready")).Code == 0
				})
			} else {
				mustPocket(t, root, "run", "--name", "ctr", "--network", "none", "busybox", "sh", "-c", setup)
			}
			for _, dst := range []string{"/escape" + hostDir + "/pwned", "/escape/escape" + hostDir + "/"} {
				r := pocket(t, root, "cp", src, "ctr:"+dst)
				for _, f := range []string{"pwned", "payload"} {
					if _, err := os.Lstat(filepath.Join(hostDir, f)); err == nil {
						t.Fatalf("cp %s ctr:%s wrote the host's %s through the container's symlink", src, dst, hostDir)
					}
				}
				if r.Code != 0 {
					t.Fatalf("cp %s ctr:%s: %s", src, dst, r)
				}
			}
			_, bodies := tarEntries(t, mustPocket(t, root, "cp", "ctr:"+hostDir, "-").Stdout)
			base := filepath.Base(hostDir)
			if bodies[base+"/pwned"] != "pwned\n" || bodies[base+"/payload"] != "pwned\n" {
				t.Errorf("the container's %s holds %v, want pwned and payload", hostDir, bodies)
			}
			// Reading back out through the link reads the container's too.
			if r := pocket(t, root, "cp", "ctr:/escape/etc/hostname", filepath.Join(t.TempDir(), "h")); r.Code != 0 {
				t.Errorf("cp out through the link: %s", r)
			}
		})
	}
}

// TestCpSymlinkSwapRace is CVE-2018-15664 itself: while cp runs, the
// container swaps a directory on the destination path for a symlink to
// "/" in a loop. Whichever it sees, cp writes inside the container or
// fails; the host's / never gets the file.
func TestCpSymlinkSwapRace(t *testing.T) {
	root := newRoot(t)
	name := fmt.Sprintf("pocket-cp-race-%d", os.Getpid())
	hostFile := filepath.Join("/", name)
	os.Remove(hostFile)
	defer os.RemoveAll(hostFile + ".d")
	defer os.Remove(hostFile)
	mustPocket(t, root, "run", "-d", "--name", "ctr", "--network", "none", "busybox", "sh", "-c",
		"touch /ready; while true; do mkdir /t; rmdir /t; ln -s / /t; rm /t; done")
	defer pocket(t, root, "rm", "-f", "ctr")
	eventually(t, "the container is set up", func() bool {
		return pocket(t, root, "cp", "ctr:/ready", filepath.Join(t.TempDir(), "ready")).Code == 0
	})
	src := filepath.Join(t.TempDir(), name)
	os.WriteFile(src, []byte("race\n"), 0o644)
	dir := filepath.Join(t.TempDir(), "d")
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", name), []byte("race\n"), 0o644)
	ok := 0
	for range 40 {
		if pocket(t, root, "cp", src, "ctr:/t/"+name).Code == 0 {
			ok++
		}
		if pocket(t, root, "cp", dir, "ctr:/t/"+name+".d").Code == 0 {
			ok++
		}
		for _, p := range []string{hostFile, hostFile + ".d"} {
			if _, err := os.Lstat(p); err == nil {
				os.RemoveAll(p)
				t.Fatalf("cp wrote the host's %s while the container swapped /t", p)
			}
		}
	}
	t.Logf("%d of 80 copies succeeded while /t was swapped", ok)
}

// TestRootlessCp: as a user, copies into a container belong to the
// container's root (the user's own id on the host), -a keeps ids inside
// the user's range, and copies out belong to the user.
func TestRootlessCp(t *testing.T) {
	e := newRootlessEnv(t, userWithSubIDs)
	for _, running := range []bool{true, false} {
		t.Run(fmt.Sprintf("running=%v", running), func(t *testing.T) {
			c := fmt.Sprintf("c%v", running)
			if running {
				e.must(t, "run", "-d", "--name", c, "--network", "none", "busybox", "sh", "-c", cpSetup+"; exec sleep 1000")
				defer e.pocket(t, "rm", "-f", c)
				eventually(t, "the container is set up", func() bool {
					return e.pocket(t, "cp", c+":/ready", "-").Code == 0
				})
			} else {
				e.must(t, "run", "--name", c, "--network", "none", "busybox", "sh", "-c", cpSetup)
			}
			src := filepath.Join(e.dir, "in-"+c)
			os.WriteFile(src, []byte("in\n"), 0o644)
			os.Chown(src, e.user.uid, e.user.gid)
			e.must(t, "cp", src, c+":/d/in")
			hdrs, bodies := tarEntries(t, e.must(t, "cp", c+":/d", "-").Stdout)
			if h := hdrs["d/in"]; h == nil || h.Uid != 0 || h.Gid != 0 || bodies["d/in"] != "in\n" {
				t.Errorf("copied in: %+v %q, want root's", h, bodies["d/in"])
			}
			if h := hdrs["d/f"]; h == nil || h.Uid != 1234 || h.Gid != 5678 {
				t.Errorf("the container's file: %+v, want 1234:5678 as the container sees it", h)
			}
			out := filepath.Join(e.data, "out-"+c)
			e.must(t, "cp", c+":/d/f", out)
			if uid := ownerOf(t, out); uid != e.user.uid {
				t.Errorf("copied out: owned by %d, want the user's %d", uid, e.user.uid)
			}
		})
	}
}

// TestCpSummary: with stdout on a terminal, cp reports on stderr what it
// copied, in Docker's words; -q and a pipe silence it.
func TestCpSummary(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "run", "--name", "ctr", "--network", "none", "busybox", "sh", "-c", "echo hello > /f")
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	defer tty.Close()
	dst := filepath.Join(t.TempDir(), "f")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"cp", "ctr:/f", dst}, "Successfully copied 6B (transferred 2.05kB) to " + dst + "\n"},
		{[]string{"cp", "-q", "ctr:/f", dst}, ""},
		{[]string{"cp", dst, "ctr:/g"}, "Successfully copied 6B (transferred 2.05kB) to ctr:/g\n"},
	} {
		cmd := pocketCmd(t, root, tc.args...)
		var stderr strings.Builder
		cmd.Stdout, cmd.Stderr = tty, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if stderr.String() != tc.want {
			t.Errorf("%v: stderr %q, want %q", tc.args, stderr.String(), tc.want)
		}
	}
	if r := mustPocket(t, root, "cp", "ctr:/f", dst); r.Stderr != "" {
		t.Errorf("cp to a pipe printed %q", r.Stderr)
	}
}

// TestCpStoppedVolumes: cp to and from a stopped container reaches its
// named volumes and bind mounts, as Docker's does, not the directories
// under them in the container's layer.
func TestCpStoppedVolumes(t *testing.T) {
	root := newRoot(t)
	bind := t.TempDir()
	if err := os.WriteFile(filepath.Join(bind, "hostfile"), []byte("from the host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustPocket(t, root, "run", "--name", "vols", "--network", "none", "-v", "cpvol:/data", "-v", bind+":/bind",
		"busybox", "sh", "-c", "echo in volume > /data/v")
	t.Cleanup(func() { pocket(t, root, "rm", "-f", "vols"); pocket(t, root, "volume", "rm", "cpvol") })
	host := t.TempDir()
	src := filepath.Join(host, "new")
	if err := os.WriteFile(src, []byte("copied in\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	mustPocket(t, root, "cp", "vols:/data/v", filepath.Join(host, "v"))
	if got := readFile(t, filepath.Join(host, "v")); got != "in volume\n" {
		t.Errorf("cp from a named volume: %q", got)
	}
	mustPocket(t, root, "cp", "vols:/bind/hostfile", filepath.Join(host, "hostfile"))
	if got := readFile(t, filepath.Join(host, "hostfile")); got != "from the host\n" {
		t.Errorf("cp from a bind mount: %q", got)
	}
	mustPocket(t, root, "cp", src, "vols:/data/new")
	if got := mustPocket(t, root, "run", "--rm", "--network", "none", "-v", "cpvol:/data", "busybox", "cat", "/data/new").Stdout; got != "copied in\n" {
		t.Errorf("cp into a named volume, read by another container: %q", got)
	}
	mustPocket(t, root, "cp", src, "vols:/bind/new")
	if got := readFile(t, filepath.Join(bind, "new")); got != "copied in\n" {
		t.Errorf("cp into a bind mount, read on the host: %q", got)
	}
}

// TestCpStoppedMountpointSymlink: CVE-2018-15664. A stopped container
// whose layer has turned a mount point's parent into a symlink to a host
// directory: cp mounts the volume at that path resolved inside the
// container's root, and makes nothing on the host.
func TestCpStoppedMountpointSymlink(t *testing.T) {
	root := newRoot(t)
	bind, target := t.TempDir(), t.TempDir()
	mustPocket(t, root, "create", "--name", "evil", "--network", "none", "-v", bind+":/evil/mnt", "busybox")
	t.Cleanup(func() { pocket(t, root, "rm", "-f", "evil") })
	upper := strings.TrimSpace(mustPocket(t, root, "inspect", "--format", "{{.GraphDriver.Data.UpperDir}}", "evil").Stdout)
	// What the container would have done to its own layer.
	if err := os.Symlink(target, filepath.Join(upper, "evil")); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(src, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := pocket(t, root, "cp", src, "evil:/evil/mnt/f")
	if entries, _ := os.ReadDir(target); len(entries) != 0 {
		t.Errorf("cp of a stopped container made %v in the host directory its symlink names", entries)
	}
	if r.Code != 0 {
		t.Fatalf("cp into the bind mount: %s", r)
	}
	if got := readFile(t, filepath.Join(bind, "f")); got != "x\n" {
		t.Errorf("the bind mount at the path resolved in the root: %q", got)
	}
}

// TestCpStoppedManyLayers: cp of a stopped container of 100+ layers, whose
// overlay options do not fit in a page but for the short layer links a
// start uses too.
func TestCpStoppedManyLayers(t *testing.T) {
	root := newRoot(t)
	var df strings.Builder
	df.WriteString("FROM busybox\n")
	for i := range 110 {
		fmt.Fprintf(&df, "COPY f /l/%d\n", i)
	}
	ctx := writeContext(t, map[string]string{"Dockerfile": df.String(), "f": "x"})
	mustPocket(t, root, "build", "-q", "-t", "many", ctx)
	mustPocket(t, root, "create", "--name", "many", "--network", "none", "many")
	t.Cleanup(func() { pocket(t, root, "rm", "-f", "many") })
	out := filepath.Join(t.TempDir(), "f")
	mustPocket(t, root, "cp", "many:/l/109", out)
	if got := readFile(t, out); got != "x" {
		t.Errorf("cp from the 110th layer: %q", got)
	}
}
