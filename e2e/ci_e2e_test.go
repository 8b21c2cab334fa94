//go:build linux

package e2e

import (
	"archive/tar"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"pocket/internal/testimages"
)

// TestRunFromArchive runs straight from the three archive transports,
// with no load step: the layers are unpacked once and the second run
// from the same archive reuses them (the layer directory is the same
// inode, not unpacked again).
func TestRunFromArchive(t *testing.T) {
	hello := mustImage(t, testimages.Hello)
	dir := t.TempDir()
	docker := filepath.Join(dir, "hello.tar")
	if err := testimages.WriteDockerArchive(docker, map[string]v1.Image{"hello:v1": hello}); err != nil {
		t.Fatal(err)
	}
	layout := filepath.Join(dir, "layout")
	if err := testimages.WriteOCILayout(layout, hello, "hello:v1"); err != nil {
		t.Fatal(err)
	}
	ociTar := filepath.Join(dir, "oci.tar")
	tarTree(t, layout, ociTar)
	diffIDs, err := hello.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	for _, arg := range []string{"docker-archive:" + docker, "docker-archive:" + docker + ":hello:v1", "oci:" + layout, "oci-archive:" + ociTar + ":v1"} {
		t.Run(filepath.Base(arg), func(t *testing.T) {
			root := newRoot(t)
			var inode uint64
			for i := range 2 {
				r := pocket(t, root, "run", "--rm", "--network", "none", arg)
				if r.Code != 0 || !strings.Contains(r.Stdout, testimages.HelloOutput) {
					t.Fatalf("run %d: %s", i+1, r)
				}
				if strings.Contains(r.Stderr, "Unable to find image") {
					t.Errorf("run %d went to a registry: %s", i+1, r)
				}
				fi, err := os.Stat(filepath.Join(root, "layers", diffIDs.RootFS.DiffIDs[0].Hex, "diff"))
				if err != nil {
					t.Fatal(err)
				}
				ino := fi.Sys().(*syscall.Stat_t).Ino
				if i == 1 && ino != inode {
					t.Errorf("the second run unpacked the layer again")
				}
				inode = ino
			}
		})
	}
	t.Run("errors", func(t *testing.T) {
		root := newRoot(t)
		for _, tc := range []struct{ arg, want string }{
			{"docker-archive:" + docker + ":nope:1", "docker-archive:" + docker + ":nope:1: no such image in the archive: no image nope:1 (hint: the archive holds hello:v1)"},
			{"oci-archive:" + filepath.Join(dir, "missing.tar"), "oci-archive:" + filepath.Join(dir, "missing.tar")},
			{"oci:" + docker, "is not a directory"},
		} {
			r := pocket(t, root, "run", "--rm", tc.arg)
			if r.Code != 125 || !strings.Contains(r.Stderr, tc.want) {
				t.Errorf("run %s: want 125 and %q:\n%s", tc.arg, tc.want, r)
			}
		}
		r := pocket(t, root, "pull", "docker-archive:"+docker+":nope:1")
		if r.Code != 1 || !strings.Contains(r.Stderr, "no image nope:1") {
			t.Errorf("pull: want 1 naming nope:1:\n%s", r)
		}
	})
	t.Run("pull", func(t *testing.T) {
		root := newRoot(t)
		r := mustPocket(t, root, "pull", "docker-archive:"+docker)
		if !strings.HasPrefix(strings.TrimSpace(r.Stdout), "sha256:"+imageID(t, hello)) {
			t.Errorf("pull prints %q, want the image ID %s", r.Stdout, imageID(t, hello))
		}
		if got := strings.TrimSpace(mustPocket(t, root, "images", "-q", "hello:v1").Stdout); got != imageID(t, hello) {
			t.Errorf("images -q hello:v1: %q, want %s", got, imageID(t, hello))
		}
	})
}

// tarTree writes the tree at dir as a tar at out, as `tar -C dir -cf out .`.
func tarTree(t *testing.T, dir, out string) {
	t.Helper()
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		link := ""
		if fi.Mode()&fs.ModeSymlink != 0 {
			if link, err = os.Readlink(p); err != nil {
				return err
			}
		}
		h, err := tar.FileInfoHeader(fi, link)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		h.Name = filepath.ToSlash(rel)
		if fi.IsDir() {
			h.Name += "/"
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if fi.Mode().IsRegular() {
			r, err := os.Open(p)
			if err != nil {
				return err
			}
			defer r.Close()
			_, err = io.Copy(tw, r)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestLockfile pins tags with `pocket lock` and resolves them through the
// lockfile with --locked, --lockfile and POCKET_LOCKFILE; a tag the file
// does not pin is refused with run's 125 and pull's 1.
func TestLockfile(t *testing.T) {
	root, dir := newRoot(t), t.TempDir()
	lock := filepath.Join(dir, "pocket.lock")
	r := mustPocket(t, root, "lock", "--file", lock, "busybox", "multiarch:latest")
	if !strings.Contains(r.Stdout, "busybox:latest: sha256:") || !strings.Contains(r.Stdout, "multiarch:latest: sha256:") {
		t.Errorf("lock prints no pins:\n%s", r)
	}
	data, err := os.ReadFile(lock)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"docker.io/library/busybox:latest"`, `"docker.io/library/multiarch:latest"`, `"linux/amd64": "sha256:`, `"linux/arm64`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("pocket.lock lacks %s:\n%s", want, data)
		}
	}
	// Locking again without --update asks nothing and changes nothing.
	if r := mustPocket(t, root, "lock", "--file", lock, "busybox"); r.Stdout != "" {
		t.Errorf("lock of a pinned tag printed %q", r.Stdout)
	}
	if again, _ := os.ReadFile(lock); string(again) != string(data) {
		t.Errorf("lock rewrote the pins")
	}
	if r := mustPocket(t, root, "lock", "--file", lock, "--update"); strings.Count(r.Stdout, "sha256:") != 2 {
		t.Errorf("lock --update refreshes every pin:\n%s", r)
	}

	mustPocket(t, root, "--lockfile", lock, "run", "--rm", "--network", "none", "busybox", "true")
	mustPocket(t, root, "--lockfile", lock, "run", "--rm", "--network", "none", "multiarch", "true")
	r = pocket(t, root, "--lockfile", lock, "run", "--rm", "--network", "none", "hello-world")
	if r.Code != 125 || !strings.Contains(r.Stderr, "hello-world:latest: not pinned by the lockfile (hint: pocket lock hello-world:latest)") {
		t.Errorf("run of an unpinned tag: want 125 naming it:\n%s", r)
	}
	r = pocket(t, root, "--lockfile", lock, "pull", "hello-world")
	if r.Code != 1 || !strings.Contains(r.Stderr, "not pinned by the lockfile") {
		t.Errorf("pull of an unpinned tag: want 1:\n%s", r)
	}

	// build's FROM resolves through it too.
	ctx := t.TempDir()
	if err := os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte("FROM busybox\nRUN true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustPocket(t, root, "--lockfile", lock, "build", "--network", "none", "-q", ctx)
	if err := os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte("FROM hello-world\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = pocket(t, root, "--lockfile", lock, "build", "-q", ctx)
	if r.Code != 1 || !strings.Contains(r.Stderr, "FROM hello-world: hello-world:latest: not pinned by the lockfile") {
		t.Errorf("build FROM an unpinned tag: want 1 naming it:\n%s", r)
	}

	// POCKET_LOCKFILE: the pull gets the pinned digest and tags it.
	cmd := pocketCmd(t, newRoot(t), "pull", "-q", "busybox")
	cmd.Env = append(cmd.Env, "POCKET_LOCKFILE="+lock)
	if r := runToEnd(t, cmd, "pull with POCKET_LOCKFILE"); r.Code != 0 || !strings.Contains(r.Stdout, "@sha256:") {
		t.Errorf("pull with POCKET_LOCKFILE: want a pull by digest:\n%s", r)
	}
	// --locked reads ./pocket.lock.
	cmd = pocketCmd(t, root, "--locked", "run", "--rm", "--network", "none", "busybox", "true")
	cmd.Dir = dir
	if r := runToEnd(t, cmd, "run --locked"); r.Code != 0 {
		t.Errorf("run --locked in the lockfile's directory:\n%s", r)
	}
	cmd = pocketCmd(t, root, "--locked", "run", "--rm", "busybox", "true")
	cmd.Dir = t.TempDir()
	if r := runToEnd(t, cmd, "run --locked without a lockfile"); r.Code != 125 || !strings.Contains(r.Stderr, "pocket lock IMAGE") {
		t.Errorf("run --locked with no pocket.lock: want 125 and a hint:\n%s", r)
	}
}

// doctorResult is one line of `pocket doctor --format json`.
type doctorResult struct {
	Check, Status, Message, Fix string
}

// inMountNS runs cmd in a mount namespace of its own after script (sh)
// arranged a host state there: the host itself is never changed.
func inMountNS(cmd *exec.Cmd, script string) *exec.Cmd {
	w := exec.Command("unshare", append([]string{"--mount", "--propagation", "private", "sh", "-euc", script + "\nexec \"$@\"", "sh"}, cmd.Args...)...)
	w.Env, w.Dir, w.SysProcAttr = cmd.Env, cmd.Dir, cmd.SysProcAttr
	if cmd.Path != "" && filepath.IsAbs(cmd.Path) {
		w.Args[len(w.Args)-len(cmd.Args)] = cmd.Path
	}
	return w
}

func doctorJSON(t *testing.T, r result) map[string]doctorResult {
	t.Helper()
	var rs []doctorResult
	if err := json.Unmarshal([]byte(r.Stdout), &rs); err != nil {
		t.Fatalf("doctor --format json: %v\n%s", err, r)
	}
	out := map[string]doctorResult{}
	for _, x := range rs {
		out[x.Check] = x
	}
	return out
}

// TestDoctor runs pocket doctor on the host as it is (everything run
// needs is there: exit 0), then with failing states arranged in mount
// namespaces: overlay gone, user namespaces disabled (both knobs), no
// subordinate ids, no newuidmap. Each shows its fix; a failure exits 1.
func TestDoctor(t *testing.T) {
	root := newRoot(t)
	r := pocket(t, root, "doctor", "--format", "json")
	checks := doctorJSON(t, r)
	if r.Code != 0 {
		t.Errorf("doctor on the test host: exit %d\n%s", r.Code, r)
	}
	for _, c := range []string{"kernel", "overlay", "userns", "cgroup", "network", "store-fs", "disk", "registry " + testRegistry.URL} {
		if checks[c].Status != "ok" {
			t.Errorf("check %s = %+v, want ok", c, checks[c])
		}
	}
	if r := pocket(t, root, "doctor"); r.Code != 0 || !strings.Contains(r.Stdout, "ok    overlay") {
		t.Errorf("doctor table:\n%s", r)
	}

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "filesystems"), []byte("nodev\tsysfs\nnodev\tproc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "zero"), []byte("0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "empty"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{filepath.Dir(dir), dir} {
		os.Chmod(d, 0o755)
	}
	noOverlay := fmt.Sprintf("mount --bind %s/filesystems /proc/filesystems\nmount -t tmpfs none /sys/module\nmount -t tmpfs none /lib/modules", dir)
	r = runToEnd(t, inMountNS(pocketCmd(t, root, "doctor", "--format", "json"), noOverlay), "doctor without overlay")
	if c := doctorJSON(t, r)["overlay"]; r.Code != 1 || c.Status != "fail" || c.Fix != "sudo modprobe overlay" {
		t.Errorf("doctor without overlay: exit %d, overlay %+v\n%s", r.Code, c, r)
	}

	e := newRootlessEnv(t, userWithSubIDs)
	for _, tc := range []struct {
		name, script, check, status, fix string
	}{
		{"max_user_namespaces", "mount --bind " + dir + "/zero /proc/sys/user/max_user_namespaces", "userns", "fail", "sudo sysctl -w user.max_user_namespaces=15000"},
		// The Debian knob is a file this kernel may not have: a tmpfs
		// stands in for /proc/sys/kernel.
		{"unprivileged_userns_clone", "mount -t tmpfs none /proc/sys/kernel\necho 0 > /proc/sys/kernel/unprivileged_userns_clone", "userns", "fail", "sudo sysctl -w kernel.unprivileged_userns_clone=1"},
		{"apparmor", "mount -t tmpfs none /proc/sys/kernel\necho 1 > /proc/sys/kernel/apparmor_restrict_unprivileged_userns", "userns", "fail", "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"},
		{"subuid", "mount --bind " + dir + "/empty /etc/subuid", "subids", "warn", "sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 " + userWithSubIDs},
		{"newuidmap", "mount --bind /dev/null $(command -v newuidmap)", "newuidmap", "warn", "sudo apt-get install uidmap"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runToEnd(t, inMountNS(e.cmd("doctor", "--format", "json"), tc.script), "doctor")
			c := doctorJSON(t, r)[tc.check]
			if c.Status != tc.status || c.Fix != tc.fix {
				t.Errorf("check %s = %+v, want %s with fix %q\n%s", tc.check, c, tc.status, tc.fix, r)
			}
			if want := map[string]int{"fail": 1, "warn": 0}[tc.status]; r.Code != want {
				t.Errorf("exit %d, want %d", r.Code, want)
			}
		})
	}
	// The same conditions make run say so, and point at doctor.
	for _, script := range []string{"mount --bind " + dir + "/empty /etc/subuid", "mount --bind /dev/null $(command -v newuidmap)"} {
		r := runToEnd(t, inMountNS(e.cmd("run", "--rm", "--network", "none", "hello-world"), script), "run")
		if r.Code != 0 || !strings.Contains(r.Stderr, "(run `pocket doctor`)") {
			t.Errorf("run with %q: want a warning pointing at pocket doctor:\n%s", script, r)
		}
	}
}

// TestStoreAsCICache is a CI job's cache cycle: fill a store, tar it,
// delete it, untar it under another path and run offline (--pull never).
// The lossy restore (owners, modes, mtimes and xattrs not kept, as a
// cache action running as a plain user does) is repaired on first use;
// a truncated layer file is detected, never used, and the image fetched
// again when a registry is there.
func TestStoreAsCICache(t *testing.T) {
	bb := mustImage(t, testimages.Busybox)
	cfg, err := bb.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	filled := newRoot(t)
	mustPocket(t, filled, "pull", "busybox")
	mustPocket(t, filled, "run", "--rm", "--network", "none", "busybox", "true")
	cache := filepath.Join(t.TempDir(), "cache.tar")
	if out, err := exec.Command("tar", "-C", filled, "--xattrs", "--xattrs-include=*", "-cpf", cache, ".").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, out)
	}
	if err := os.RemoveAll(filled); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		tar  []string // how the cache is restored
	}{
		{"faithful", []string{"--xattrs", "--xattrs-include=*", "-xpf"}},
		// A restore that keeps no owner, mode, mtime or xattr.
		{"lossy", []string{"--no-same-owner", "--no-same-permissions", "-m", "--no-xattrs", "-xf"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "elsewhere", "store")
			os.MkdirAll(root, 0o711)
			args := append([]string{"-C", root}, tc.tar...)
			if out, err := exec.Command("tar", append(args, cache)...).CombinedOutput(); err != nil {
				t.Fatalf("untar: %v\n%s", err, out)
			}
			if tc.name == "lossy" {
				// Left as a plain user's restore leaves it.
				exec.Command("chown", "-R", "65534:65534", filepath.Join(root, "layers")).Run()
			}
			r := mustPocket(t, root, "run", "--rm", "--network", "none", "--pull", "never", "busybox", "stat", "-c", "%u %a", testimages.OwnedByApp)
			if got := strings.TrimSpace(r.Stdout); got != "1000 644" {
				t.Errorf("owner and mode of %s after the restore = %q, want \"1000 644\"", testimages.OwnedByApp, got)
			}
		})
	}
	t.Run("truncated", func(t *testing.T) {
		root := filepath.Join(t.TempDir(), "store")
		os.MkdirAll(root, 0o711)
		if out, err := exec.Command("tar", "-C", root, "--xattrs", "--xattrs-include=*", "-xpf", cache).CombinedOutput(); err != nil {
			t.Fatalf("untar: %v\n%s", err, out)
		}
		diff := filepath.Join(root, "layers", cfg.RootFS.DiffIDs[0].Hex, "diff")
		if err := os.Truncate(filepath.Join(diff, "bin", "busybox"), 100); err != nil {
			t.Fatal(err)
		}
		r := pocket(t, root, "run", "--rm", "--network", "none", "--pull", "never", "busybox", "true")
		if r.Code != 125 || !strings.Contains(r.Stderr, "layer damaged") {
			t.Errorf("run of a damaged image with --pull never: want 125 naming the damage:\n%s", r)
		}
		r = mustPocket(t, root, "run", "--rm", "--network", "none", "busybox", "true")
		if !strings.Contains(r.Stderr, "pulling it again") {
			t.Errorf("run of a damaged image: want it pulled again:\n%s", r)
		}
	})
}

// TestSystemPruneMaxSize: --until and --max-size evict the least recently
// used images, tagged or not, never one a container uses.
func TestSystemPruneMaxSize(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "pull", "hello-world")
	mustPocket(t, root, "pull", "busybox")
	mustPocket(t, root, "run", "-d", "--name", "keep", "--network", "none", "busybox", "sleep", "60")
	defer pocket(t, root, "rm", "-f", "keep")
	r := mustPocket(t, root, "system", "prune", "-f", "--max-size", "1k")
	if !strings.Contains(r.Stdout, "Total reclaimed space") {
		t.Errorf("prune report:\n%s", r)
	}
	got := strings.Fields(mustPocket(t, root, "images", "--format", "{{.Repository}}").Stdout)
	if len(got) != 1 || got[0] != "busybox" {
		t.Errorf("images left = %v, want busybox (its running container holds it)", got)
	}
	if r := pocket(t, root, "system", "prune", "--max-size", "lots"); r.Code == 0 {
		t.Errorf("--max-size lots accepted:\n%s", r)
	}
}
