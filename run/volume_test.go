package run

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"pocket/ns"
	"pocket/store"
)

func TestPlanMounts(t *testing.T) {
	img := func(vs ...string) map[string]struct{} {
		m := map[string]struct{}{}
		for _, v := range vs {
			m[v] = struct{}{}
		}
		return m
	}
	for _, tc := range []struct {
		name    string
		o       Options
		image   map[string]struct{}
		want    []MountSpec
		wantErr string
	}{
		{
			name:  "image volumes become anonymous volumes, sorted",
			image: img("/var/lib/db", "/data/"),
			want:  []MountSpec{{Type: "volume", Target: "/data"}, {Type: "volume", Target: "/var/lib/db"}},
		},
		{
			name:  "a user mount on an image volume's path replaces it",
			o:     Options{Volumes: []string{"mine:/data/"}, Mounts: []string{"type=bind,src=/h,dst=/b"}, Tmpfs: []string{"/t"}},
			image: img("/data", "/b", "/t", "/other"),
			want: []MountSpec{
				{Type: "volume", Source: "mine", Target: "/data"},
				{Type: "bind", Source: "/h", Target: "/b"},
				{Type: "volume", Target: "/other"},
			},
		},
		{
			name:  "hostile image volumes are ignored",
			image: img("/", "relative", "/x/.."),
		},
		{
			name:    "duplicate -v targets",
			o:       Options{Volumes: []string{"a1:/x", "/h:/x/"}},
			wantErr: "duplicate mount point: /x",
		},
		{
			name:    "-v and --tmpfs on one path",
			o:       Options{Volumes: []string{"a1:/x"}, Tmpfs: []string{"/x:size=1m"}},
			wantErr: "duplicate mount point: /x",
		},
		{
			name:    "-v and --mount on one path",
			o:       Options{Volumes: []string{"/y"}, Mounts: []string{"type=tmpfs,target=/y"}},
			wantErr: "duplicate mount point: /y",
		},
		{
			name:    "bad --mount",
			o:       Options{Mounts: []string{"type=nfs,target=/y"}},
			wantErr: "unknown mount type",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := planMounts(&tc.o, tc.image)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("planMounts (-want +got):\n%s", diff)
			}
		})
	}
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
	o := &Options{
		Volumes: []string{"old:/a", "new:/b:ro", "/anon", host + ":/h", "old:/a2"},
		Mounts:  []string{"type=tmpfs,target=/t,tmpfs-size=1m", "type=volume,target=/anon2,volume-nocopy"},
	}
	specs, err := planMounts(o, nil)
	if err != nil {
		t.Fatal(err)
	}
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
		{Type: "tmpfs", Source: "tmpfs", Target: "/t", Options: []string{"nosuid", "nodev", "size=1m"}},
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
	specs, err := planMounts(&Options{Volumes: []string{"made:/m"}, Mounts: []string{"type=bind,source=/nonexistent/pocket,target=/x"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
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

// layer makes a layer directory in overlay form from a setup function.
func layer(t *testing.T, setup func(dir string) error) string {
	t.Helper()
	dir := t.TempDir()
	if err := setup(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// tree describes every entry under dir, one line each, for comparison.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	inodes := map[uint64]string{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		st := fi.Sys().(*syscall.Stat_t)
		line := fmt.Sprintf("%s %v %d:%d", rel, fi.Mode(), st.Uid, st.Gid)
		switch {
		case fi.Mode().IsRegular():
			b, _ := os.ReadFile(p)
			line += fmt.Sprintf(" %q", b)
			if first, ok := inodes[st.Ino]; ok {
				line += " =" + first
			}
			inodes[st.Ino] = rel
		case fi.Mode()&os.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			line += " -> " + l
		}
		if v := make([]byte, 64); fi.Mode()&os.ModeSymlink == 0 {
			if n, err := unix.Lgetxattr(p, "user.test", v); err == nil {
				line += " user.test=" + string(v[:n])
			}
		}
		if fi.Mode().IsRegular() && fi.ModTime().Unix() != 1e9 {
			line += " mtime not kept"
		}
		out = append(out, line)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPopulate(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: overlay in a private mount namespace, chown")
	}
	stamp := func(p string) error {
		ts := []unix.Timespec{{Sec: 1e9}, {Sec: 1e9}}
		return unix.UtimesNanoAt(unix.AT_FDCWD, p, ts, unix.AT_SYMLINK_NOFOLLOW)
	}
	base := layer(t, func(d string) error {
		for _, step := range []func() error{
			func() error { return os.MkdirAll(filepath.Join(d, "srv/data/opaque"), 0o755) },
			func() error { return os.WriteFile(filepath.Join(d, "srv/data/opaque/hidden"), []byte("lower"), 0o644) },
			func() error { return os.WriteFile(filepath.Join(d, "srv/data/gone"), []byte("deleted above"), 0o644) },
			func() error { return os.WriteFile(filepath.Join(d, "srv/data/owned"), []byte("app's"), 0o640) },
			func() error { return os.Chown(filepath.Join(d, "srv/data/owned"), 1000, 1000) },
			func() error { return unix.Chmod(filepath.Join(d, "srv/data/owned"), 0o4750) },
			func() error { return stamp(filepath.Join(d, "srv/data/owned")) },
			func() error {
				return unix.Lsetxattr(filepath.Join(d, "srv/data/owned"), "user.test", []byte("kept"), 0)
			},
			func() error {
				return os.Link(filepath.Join(d, "srv/data/owned"), filepath.Join(d, "srv/data/hardlink"))
			},
			func() error { return os.Symlink("../../etc/shadow", filepath.Join(d, "srv/data/link")) },
			func() error { return unix.Mkfifo(filepath.Join(d, "srv/data/fifo"), 0o600) },
			func() error { return os.Chmod(filepath.Join(d, "srv/data"), 0o750) },
			func() error { return os.Chown(filepath.Join(d, "srv/data"), 1000, 50) },
			// The target a volume is mounted at through an image symlink.
			func() error { return os.Symlink("/srv/data", filepath.Join(d, "alias")) },
			func() error { return os.MkdirAll(filepath.Join(d, "etc"), 0o755) },
			func() error { return os.WriteFile(filepath.Join(d, "etc/host-secret"), []byte("image's own"), 0o600) },
		} {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
	top := layer(t, func(d string) error {
		if err := os.MkdirAll(filepath.Join(d, "srv/data/opaque"), 0o755); err != nil {
			return err
		}
		// A layer carries its parents' metadata too; overlay shows the topmost.
		if err := os.Chmod(filepath.Join(d, "srv/data"), 0o750); err != nil {
			return err
		}
		if err := os.Chown(filepath.Join(d, "srv/data"), 1000, 50); err != nil {
			return err
		}
		if err := unix.Setxattr(filepath.Join(d, "srv/data/opaque"), "trusted.overlay.opaque", []byte("y"), 0); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(d, "srv/data/opaque/new"), []byte("upper"), 0o644); err != nil {
			return err
		}
		if err := stamp(filepath.Join(d, "srv/data/opaque/new")); err != nil {
			return err
		}
		// A whiteout: overlay's 0/0 character device.
		return unix.Mknod(filepath.Join(d, "srv/data/gone"), unix.S_IFCHR, 0)
	})
	lower := []string{top, base}

	vol, alias, file, missing, full := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "mine"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := populate(lower, false, []copyUp{
		{target: "/srv/data", dst: vol},
		{target: "/alias", dst: alias},          // resolved inside the image
		{target: "/etc/host-secret", dst: file}, // not a directory: nothing to copy
		{target: "/no/such/dir", dst: missing},  // nothing to copy
		{target: "/srv/data", dst: full},        // already has content
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		". drwxr-x--- 1000:50",
		"fifo prw------- 0:0",
		`hardlink urwxr-x--- 1000:1000 "app's" user.test=kept`,
		"link Lrwxrwxrwx 0:0 -> ../../etc/shadow",
		"opaque drwxr-xr-x 0:0",
		`opaque/new -rw-r--r-- 0:0 "upper"`,
		`owned urwxr-x--- 1000:1000 "app's" =hardlink user.test=kept`,
	}
	if diff := cmp.Diff(want, tree(t, vol)); diff != "" {
		t.Errorf("volume content (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, tree(t, alias)); diff != "" {
		t.Errorf("volume through an image symlink (-want +got):\n%s", diff)
	}
	for dst, wantTree := range map[string][]string{
		file:    {". drwxr-xr-x 0:0"},
		missing: {". drwxr-xr-x 0:0"},
		full:    {". drwxr-xr-x 0:0", `mine -rw-r--r-- 0:0 ""`},
	} {
		got := tree(t, dst)
		for i := range got {
			got[i] = strings.TrimSuffix(got[i], " mtime not kept")
		}
		if diff := cmp.Diff(wantTree, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", dst, diff)
		}
	}
}
