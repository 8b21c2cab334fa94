package run

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"pocket/ns"
	"pocket/plan"
	"pocket/store"
)

// planMounts is the mounts of a container of an image without VOLUMEs.
func planMounts(t *testing.T, o Options) []plan.MountSpec {
	t.Helper()
	p, err := plan.Parse(o, plan.Host{Cgroup: true})
	if err != nil {
		t.Fatal(err)
	}
	return p.Volumes(nil)
}

func openStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "root"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPrepareMounts(t *testing.T) {
	s := openStore(t)
	if _, err := s.CreateVolume("old", false); err != nil {
		t.Fatal(err)
	}
	host := filepath.Join(t.TempDir(), "made", "by", "v")
	specs := planMounts(t, Options{
		Volumes: []string{"old:/a", "new:/b:ro", "/anon", host + ":/h", "old:/a2"},
		Mounts:  []string{"type=tmpfs,target=/t,tmpfs-size=1m", "type=volume,target=/anon2,volume-nocopy"},
	})
	p, err := prepareMounts(s, specs, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(host); err != nil || !fi.IsDir() {
		t.Errorf("-v did not create its missing host directory: %v", err)
	}
	hex64 := regexp.MustCompile(`^[0-9a-f]{64}$`)
	if len(p.volumes) != 4 || p.volumes[0] != "old" || p.volumes[1] != "new" || !hex64.MatchString(p.volumes[2]) || !hex64.MatchString(p.volumes[3]) {
		t.Fatalf("referenced volumes = %q, want old, new and two 64-hex anonymous names", p.volumes)
	}
	if diff := cmp.Diff(p.volumes[1:], p.created); diff != "" {
		t.Errorf("created volumes (-want +got):\n%s", diff)
	}
	for _, n := range p.volumes[2:] {
		if v, err := s.Volume(n); err != nil || !v.Anonymous {
			t.Errorf("volume %s: %+v %v, want anonymous", n, v, err)
		}
	}
	data := func(n string) string { return filepath.Join(s.Root(), "volumes", n, "_data") }
	want := []ns.Mount{
		{Type: "bind", Source: data("old"), Target: "/a"},
		{Type: "bind", Source: data("new"), Target: "/b", Readonly: true},
		{Type: "bind", Source: data(p.volumes[2]), Target: "/anon"},
		{Type: "bind", Source: host, Target: "/h"},
		{Type: "bind", Source: data("old"), Target: "/a2"},
		{Type: "tmpfs", Source: "tmpfs", Target: "/t", Options: []string{"noexec", "nosuid", "nodev", "size=1m"}},
		{Type: "bind", Source: data(p.volumes[3]), Target: "/anon2"},
	}
	if diff := cmp.Diff(want, p.mounts); diff != "" {
		t.Errorf("mounts (-want +got):\n%s", diff)
	}

	p.undo(s)
	vols, err := s.Volumes()
	if err != nil {
		t.Fatal(err)
	}
	if len(vols) != 1 || vols[0].Name != "old" {
		t.Errorf("after undo: %+v, want only the volume that existed before", vols)
	}
}

func TestPrepareMountsBindSource(t *testing.T) {
	s := openStore(t)
	specs := planMounts(t, Options{Volumes: []string{"made:/m"}, Mounts: []string{"type=bind,source=/nonexistent/pocket,target=/x"}})
	p, err := prepareMounts(s, specs, nil, false)
	want := `invalid mount config for type "bind": bind source path does not exist: /nonexistent/pocket`
	if !errors.Is(err, ErrBadMount) || !strings.Contains(err.Error(), want) {
		t.Fatalf("error = %v, want ErrBadMount with %q", err, want)
	}
	if _, err := os.Stat("/nonexistent/pocket"); err == nil {
		t.Error("--mount created its bind source")
	}
	p.undo(s)
	if vols, _ := s.Volumes(); len(vols) != 0 {
		t.Errorf("undo left %+v", vols)
	}
}

func TestSortMounts(t *testing.T) {
	got := sortMounts([]ns.Mount{{Target: "/a/b/c"}, {Target: "/x"}, {Target: "/a/b"}, {Target: "/a"}, {Target: "/y/"}})
	var targets []string
	for _, m := range got {
		targets = append(targets, m.Target)
	}
	if diff := cmp.Diff([]string{"/x", "/a", "/y/", "/a/b", "/a/b/c"}, targets); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

func TestMountPoint(t *testing.T) {
	for _, tc := range []struct {
		spec           string
		volume, source string
		want           MountPoint
	}{
		{"/data", "abc", "/v/abc/_data", MountPoint{Type: "volume", Name: "abc", Source: "/v/abc/_data", Destination: "/data", Driver: "local", RW: true}},
		{"cache:/c", "cache", "/v/cache/_data", MountPoint{Type: "volume", Name: "cache", Source: "/v/cache/_data", Destination: "/c", Driver: "local", Mode: "z", RW: true}},
		{"cache:/c:ro", "cache", "/v/cache/_data", MountPoint{Type: "volume", Name: "cache", Source: "/v/cache/_data", Destination: "/c", Driver: "local", Mode: "ro"}},
		{"/h:/c", "", "/h", MountPoint{Type: "bind", Source: "/h", Destination: "/c", RW: true, Propagation: "rprivate"}},
		{"/h:/c:ro,rslave", "", "/h", MountPoint{Type: "bind", Source: "/h", Destination: "/c", Mode: "ro,rslave", Propagation: "rslave"}},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			m, err := plan.ParseVolume(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, mountPoint(m, tc.volume, tc.source)); d != "" {
				t.Errorf("mountPoint(%q) (-want +got):\n%s", tc.spec, d)
			}
		})
	}
}
