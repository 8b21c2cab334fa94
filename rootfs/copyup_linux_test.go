package rootfs

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

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
	err := Populate(lower, false, []CopyUp{
		{Target: "/srv/data", Dst: vol},
		{Target: "/alias", Dst: alias},          // resolved inside the image
		{Target: "/etc/host-secret", Dst: file}, // not a directory: nothing to copy
		{Target: "/no/such/dir", Dst: missing},  // nothing to copy
		{Target: "/srv/data", Dst: full},        // already has content
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
