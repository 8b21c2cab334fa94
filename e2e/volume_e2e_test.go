//go:build linux

package e2e

// End-to-end tests of issue 4: volumes, bind mounts, --mount and the
// volume commands.

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"pocket/internal/testimages"
)

// pushBusyboxVariant pushes busybox plus one layer of entries and the given
// VOLUMEs as library/<name>:latest, and returns the name to run.
func pushBusyboxVariant(t *testing.T, name string, volumes []string, entries ...testimages.Entry) string {
	t.Helper()
	base, err := testimages.Busybox()
	if err != nil {
		t.Fatal(err)
	}
	img := base
	if len(entries) > 0 {
		data := testimages.Tar(entries...)
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
		if err != nil {
			t.Fatal(err)
		}
		if img, err = mutate.AppendLayers(img, l); err != nil {
			t.Fatal(err)
		}
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg := cf.Config
	cfg.Volumes = map[string]struct{}{}
	for _, v := range volumes {
		cfg.Volumes[v] = struct{}{}
	}
	if img, err = mutate.Config(img, cfg); err != nil {
		t.Fatal(err)
	}
	var _ v1.Image = img
	if err := testRegistry.Push("library/"+name+":latest", img); err != nil {
		t.Fatal(err)
	}
	return name
}

// volumeNames is `pocket volume ls -q`.
func volumeNames(t *testing.T, root string) []string {
	t.Helper()
	return lines(mustPocket(t, root, "volume", "ls", "-q").Stdout)
}

// volumeData is where a volume's content lives on the host.
func volumeData(root, name string) string { return filepath.Join(root, "volumes", name, "_data") }

func TestVolumeNamedSharedAndKept(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "run", "--rm", "-v", "data:/data", "busybox", "sh", "-c", "echo kept > /data/f")
	r := mustPocket(t, root, "run", "--rm", "-v", "data:/srv/other", "busybox", "cat", "/srv/other/f")
	if r.Stdout != "kept\n" {
		t.Errorf("second container read %q from the volume, want %q", r.Stdout, "kept\n")
	}
	if got := volumeNames(t, root); !slices.Equal(got, []string{"data"}) {
		t.Errorf("volume ls -q after both containers are gone = %q, want [data]", got)
	}
	ls := mustPocket(t, root, "volume", "ls").Stdout
	if !strings.Contains(ls, "DRIVER") || !strings.Contains(ls, "VOLUME NAME") || !strings.Contains(ls, "local") {
		t.Errorf("volume ls:\n%s\nwant DRIVER and VOLUME NAME columns and driver local", ls)
	}
}

func TestVolumeCopiesImageContent(t *testing.T) {
	root := newRoot(t)
	r := mustPocket(t, root, "run", "--rm", "-v", "etc:/etc", "busybox", "cat", "/etc/passwd")
	if !strings.HasPrefix(r.Stdout, "root:x:0:0:") {
		t.Errorf("/etc/passwd through a fresh volume:\n%s\nwant the image's", r.Stdout)
	}
	host, err := os.ReadFile(filepath.Join(volumeData(root, "etc"), "passwd"))
	if err != nil || !strings.HasPrefix(string(host), "root:x:0:0:") {
		t.Errorf("volume on the host lacks the image's passwd: %v %q", err, host)
	}

	// The volume root takes the image directory's mode: /tmp stays 1777.
	mustPocket(t, root, "run", "--rm", "-v", "tmp:/tmp", "busybox", "true")
	if fi, err := os.Stat(volumeData(root, "tmp")); err != nil || fi.Mode()&os.ModeSticky == 0 || fi.Mode().Perm() != 0o777 {
		t.Errorf("volume over /tmp: %v %v, want drwxrwxrwt", fi.Mode(), err)
	}

	// A volume that already has content is left alone.
	mustPocket(t, root, "run", "--rm", "-v", "etc:/etc", "busybox", "sh", "-c", "rm /etc/group")
	mustPocket(t, root, "run", "--rm", "-v", "etc:/etc", "busybox", "sh", "-c", "test ! -e /etc/group")

	// nocopy keeps a fresh volume empty.
	mustPocket(t, root, "run", "--rm", "-v", "bare:/etc:nocopy", "busybox", "sh", "-c", "test ! -e /etc/passwd")
	if _, err := os.Stat(filepath.Join(volumeData(root, "bare"), "passwd")); err == nil {
		t.Error("nocopy volume got the image's passwd")
	}
}

func TestVolumeBindMount(t *testing.T) {
	root := newRoot(t)
	host := t.TempDir()
	if err := os.WriteFile(filepath.Join(host, "in"), []byte("from host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := mustPocket(t, root, "run", "--rm", "-v", host+":/mnt", "busybox", "sh", "-c", "cat /mnt/in; echo from container > /mnt/out")
	if r.Stdout != "from host\n" {
		t.Errorf("container read %q, want %q", r.Stdout, "from host\n")
	}
	if b, err := os.ReadFile(filepath.Join(host, "out")); err != nil || string(b) != "from container\n" {
		t.Errorf("host read %q, %v; want the container's write", b, err)
	}

	// -v creates a missing host directory, as docker run does.
	missing := filepath.Join(t.TempDir(), "a", "b")
	mustPocket(t, root, "run", "--rm", "-v", missing+":/mnt", "busybox", "touch", "/mnt/x")
	if _, err := os.Stat(filepath.Join(missing, "x")); err != nil {
		t.Errorf("-v with a missing host directory: %v", err)
	}

	// --mount type=bind is the same mount.
	r = mustPocket(t, root, "run", "--rm", "--mount", "type=bind,source="+host+",target=/mnt", "busybox", "cat", "/mnt/in")
	if r.Stdout != "from host\n" {
		t.Errorf("--mount type=bind read %q", r.Stdout)
	}
	if got := volumeNames(t, root); len(got) != 0 {
		t.Errorf("bind mounts made volumes %q", got)
	}
}

func TestVolumeReadOnly(t *testing.T) {
	root := newRoot(t)
	host := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"volume", []string{"-v", "ro:/data:ro"}},
		{"bind", []string{"-v", host + ":/data:ro"}},
		{"mount volume", []string{"--mount", "type=volume,source=ro2,target=/data,readonly"}},
		{"mount bind", []string{"--mount", "type=bind,src=" + host + ",dst=/data,ro=true"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{"run", "--rm"}, tc.args...), "busybox", "touch", "/data/x")
			r := pocket(t, root, args...)
			if r.Code == 0 || !strings.Contains(r.Stderr, "Read-only file system") {
				t.Errorf("write to a read-only mount: %s\nwant a non-zero exit and \"Read-only file system\"", r)
			}
		})
	}
	if entries, _ := os.ReadDir(host); len(entries) != 0 {
		t.Errorf("read-only bind source was written: %v", entries)
	}
}

func TestVolumeAnonymous(t *testing.T) {
	root := newRoot(t)
	if got := volumeNames(t, root); len(got) != 0 {
		t.Fatalf("fresh root has volumes %q", got)
	}
	mustPocket(t, root, "run", "--rm", "-v", "/data", "busybox", "touch", "/data/x")
	if got := volumeNames(t, root); len(got) != 0 {
		t.Errorf("--rm left anonymous volumes %q", got)
	}

	// Without --rm it stays until rm -v; plain rm keeps it.
	id := strings.TrimSpace(mustPocket(t, root, "run", "-d", "-v", "/data", "busybox", "true").Stdout)
	mustPocket(t, root, "wait", id)
	got := volumeNames(t, root)
	if len(got) != 1 || len(got[0]) != 64 {
		t.Fatalf("anonymous volume names = %q, want one 64-hex name", got)
	}
	mustPocket(t, root, "rm", "-v", id)
	if got := volumeNames(t, root); len(got) != 0 {
		t.Errorf("rm -v left volumes %q", got)
	}

	mustPocket(t, root, "run", "--name", "keep", "-v", "/data", "-v", "named:/named", "busybox", "true")
	mustPocket(t, root, "rm", "keep")
	if got := volumeNames(t, root); len(got) != 2 {
		t.Errorf("rm without -v: volumes %q, want the anonymous and the named one", got)
	}
}

func TestVolumeFromImageConfig(t *testing.T) {
	root := newRoot(t)
	img := pushBusyboxVariant(t, "withvolume", []string{"/data"},
		testimages.Dir("data", 0o750).Owned(testimages.AppUID, testimages.AppUID), testimages.File("data/seed", "seeded\n", 0o640))
	r := mustPocket(t, root, "run", "--name", "c1", img, "cat", "/data/seed")
	if r.Stdout != "seeded\n" {
		t.Errorf("image content in its VOLUME: %q", r.Stdout)
	}
	got := volumeNames(t, root)
	if len(got) != 1 {
		t.Fatalf("VOLUME /data made volumes %q, want one", got)
	}
	fi, err := os.Stat(volumeData(root, got[0]))
	if err != nil || fi.Mode().Perm() != 0o750 {
		t.Errorf("volume root mode %v (%v), want the image's 0750", fi.Mode(), err)
	}
	var info []map[string]any
	if err := json.Unmarshal([]byte(mustPocket(t, root, "volume", "inspect", got[0]).Stdout), &info); err != nil || len(info) != 1 {
		t.Fatalf("volume inspect: %v %v", info, err)
	}
	if info[0]["Driver"] != "local" || info[0]["Scope"] != "local" || info[0]["Name"] != got[0] ||
		info[0]["Mountpoint"] != volumeData(root, got[0]) {
		t.Errorf("volume inspect = %v", info[0])
	}
	mustPocket(t, root, "rm", "-v", "c1")

	// A -v on the same path replaces the image's anonymous volume.
	mustPocket(t, root, "run", "--rm", "-v", "mine:/data", img, "test", "-e", "/data/seed")
	if got := volumeNames(t, root); !slices.Equal(got, []string{"mine"}) {
		t.Errorf("volumes = %q, want only [mine]", got)
	}
}

func TestVolumeRemoveInUse(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "run", "--name", "user", "-v", "busy:/data", "busybox", "true")
	r := pocket(t, root, "volume", "rm", "busy")
	if r.Code != 1 || !strings.Contains(r.Stderr, "volume is in use") {
		t.Errorf("volume rm of a volume in use: %s", r)
	}
	if r := pocket(t, root, "volume", "rm", "-f", "busy"); r.Code != 1 {
		t.Errorf("volume rm -f of a volume in use: %s\nwant it refused, as Docker does", r)
	}
	mustPocket(t, root, "rm", "user")
	if r := mustPocket(t, root, "volume", "rm", "busy"); r.Stdout != "busy\n" {
		t.Errorf("volume rm printed %q", r.Stdout)
	}
	if r := pocket(t, root, "volume", "rm", "busy"); r.Code != 1 || !strings.Contains(r.Stderr, "no such volume") {
		t.Errorf("volume rm of a missing volume: %s", r)
	}
	mustPocket(t, root, "volume", "rm", "-f", "busy")
}

func TestVolumePrune(t *testing.T) {
	root := newRoot(t)
	if r := mustPocket(t, root, "volume", "create", "named"); r.Stdout != "named\n" {
		t.Errorf("volume create printed %q", r.Stdout)
	}
	mustPocket(t, root, "run", "--name", "holder", "-v", "held:/a", "-v", "/b", "busybox", "true")
	mustPocket(t, root, "run", "--name", "gone", "-v", "/c", "busybox", "true")
	mustPocket(t, root, "rm", "gone") // its anonymous volume is now unreferenced
	before := volumeNames(t, root)
	if len(before) != 4 {
		t.Fatalf("volumes before prune = %q, want 4", before)
	}

	r := mustPocket(t, root, "volume", "prune", "-f")
	if !strings.Contains(r.Stdout, "Deleted Volumes:") || !strings.Contains(r.Stdout, "Total reclaimed space:") {
		t.Errorf("volume prune output:\n%s", r.Stdout)
	}
	after := volumeNames(t, root)
	if len(after) != 3 || !slices.Contains(after, "named") || !slices.Contains(after, "held") {
		t.Errorf("after prune: %q, want named, held and holder's anonymous volume", after)
	}

	mustPocket(t, root, "volume", "prune", "-f", "-a")
	if got := volumeNames(t, root); len(got) != 2 || !slices.Contains(got, "held") {
		t.Errorf("after prune -a: %q, want only holder's two volumes", got)
	}
}

func TestVolumeSymlinkTargetStaysInside(t *testing.T) {
	root := newRoot(t)
	hostDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(hostDir, "marker"), []byte("host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// /data points at a host path; resolved inside the rootfs it is the
	// container's own /tmp/..., never the host's.
	img := pushBusyboxVariant(t, "symlinkdata", nil, testimages.Symlink("data", hostDir))
	r := mustPocket(t, root, "run", "--rm", "-v", "vol:/data", img, "sh", "-c", "echo inside > /data/new; ls /data")
	if strings.Contains(r.Stdout, "marker") {
		t.Errorf("the container saw the host directory through /data: %q", r.Stdout)
	}
	entries, _ := os.ReadDir(hostDir)
	if len(entries) != 1 || entries[0].Name() != "marker" {
		t.Errorf("host directory changed: %v", entries)
	}
	if b, err := os.ReadFile(filepath.Join(volumeData(root, "vol"), "new")); err != nil || string(b) != "inside\n" {
		t.Errorf("volume content %q, %v", b, err)
	}
}

func TestVolumeMountErrors(t *testing.T) {
	root := newRoot(t)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"missing bind source", []string{"--mount", "type=bind,source=/nonexistent/pocket-src,target=/x"},
			`invalid mount config for type "bind": bind source path does not exist: /nonexistent/pocket-src`},
		{"volume made before a failing mount", []string{"-v", "made:/a", "--mount", "type=bind,source=/nonexistent/pocket-src,target=/x"},
			"bind source path does not exist"},
		{"relative host path", []string{"-v", "rel/dir:/x"}, "absolute path"},
		{"duplicate target", []string{"-v", "a1:/x", "--tmpfs", "/x"}, "duplicate mount point: /x"},
		{"bad option", []string{"-v", "a1:/x:bogus"}, `unknown option "bogus"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{"run", "--rm"}, tc.args...), "busybox", "true")
			r := pocket(t, root, args...)
			if r.Code != 125 || !strings.Contains(r.Stderr, tc.want) {
				t.Errorf("%s\nwant exit 125 and %q", r, tc.want)
			}
		})
	}
	if r := mustPocket(t, root, "ps", "-a", "-q"); r.Stdout != "" {
		t.Errorf("failed runs left containers:\n%s", r.Stdout)
	}
	if got := volumeNames(t, root); len(got) != 0 {
		t.Errorf("failed runs left volumes %q", got)
	}
}

func TestVolumeInspectMounts(t *testing.T) {
	root := newRoot(t)
	host := t.TempDir()
	mustPocket(t, root, "run", "--name", "mnt", "-v", "named:/named", "-v", "/anon", "-v", host+":/bind:ro",
		"--mount", "type=tmpfs,dst=/scratch", "--tmpfs", "/run", "busybox", "true")
	var anon string
	for _, v := range volumeNames(t, root) {
		if v != "named" {
			anon = v
		}
	}
	var in []struct {
		Mounts     []map[string]any
		HostConfig struct{ Tmpfs map[string]string }
	}
	if err := json.Unmarshal([]byte(mustPocket(t, root, "inspect", "mnt").Stdout), &in); err != nil || len(in) != 1 {
		t.Fatalf("inspect: %v %v", in, err)
	}
	want := []map[string]any{
		{"Type": "volume", "Name": "named", "Source": volumeData(root, "named"), "Destination": "/named", "Driver": "local",
			"Mode": "z", "RW": true, "Propagation": ""},
		{"Type": "volume", "Name": anon, "Source": volumeData(root, anon), "Destination": "/anon", "Driver": "local",
			"Mode": "", "RW": true, "Propagation": ""},
		{"Type": "bind", "Source": host, "Destination": "/bind", "Mode": "ro", "RW": false, "Propagation": "rprivate"},
		{"Type": "tmpfs", "Source": "", "Destination": "/scratch", "Mode": "", "RW": true, "Propagation": ""},
	}
	if d := cmp.Diff(want, in[0].Mounts); d != "" {
		t.Errorf("inspect Mounts (-want +got):\n%s", d)
	}
	// --tmpfs is HostConfig.Tmpfs only, as in Docker.
	if _, ok := in[0].HostConfig.Tmpfs["/run"]; !ok || len(in[0].HostConfig.Tmpfs) != 1 {
		t.Errorf("HostConfig.Tmpfs = %v, want /run alone", in[0].HostConfig.Tmpfs)
	}
}

// A detached container whose command cannot start: Docker removes an --rm
// one with its anonymous volumes, and keeps any other as "Created".
func TestVolumeDetachedStartFailure(t *testing.T) {
	root := newRoot(t)
	r := pocket(t, root, "run", "-d", "--rm", "-v", "/data", "busybox", "nonexistent")
	if r.Code != 127 || !strings.Contains(r.Stderr, "nonexistent") {
		t.Errorf("run -d --rm of a missing command: %s\nwant exit 127 naming it", r)
	}
	if r := mustPocket(t, root, "ps", "-a", "-q"); r.Stdout != "" {
		t.Errorf("--rm left a container:\n%s", r.Stdout)
	}
	if got := volumeNames(t, root); len(got) != 0 {
		t.Errorf("--rm left volumes %q", got)
	}

	r = pocket(t, root, "run", "-d", "--name", "failed", "-v", "/data", "busybox", "nonexistent")
	if r.Code != 127 {
		t.Errorf("run -d of a missing command: %s\nwant exit 127", r)
	}
	if st := psStatus(t, root, "failed"); st != "Created" {
		t.Errorf("ps -a: %q, want Created", st)
	}
	if got := volumeNames(t, root); len(got) != 1 {
		t.Errorf("volumes of the created container %q, want its one", got)
	}
	mustPocket(t, root, "rm", "-v", "failed")
	if got := volumeNames(t, root); len(got) != 0 {
		t.Errorf("rm -v left volumes %q", got)
	}
}
