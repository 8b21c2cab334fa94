package fs

import (
	"archive/tar"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

func TestMetadata(t *testing.T) {
	old := time.Date(2001, 1, 2, 3, 4, 5, 123456789, time.UTC)
	atime := time.Date(2002, 1, 2, 3, 4, 5, 0, time.UTC)
	suid := file("bin/su", "#!")
	suid.Mode, suid.Uid, suid.Gid = 0o4755, 1234, 5678
	suid.ModTime, suid.AccessTime, suid.Format = old, atime, tar.FormatPAX
	sgid := dir("tmp/")
	sgid.Mode, sgid.ModTime = 0o3777, old
	xa := file("xa", "x")
	xa.PAXRecords = map[string]string{
		"SCHILY.xattr.user.keep":           "v",
		"SCHILY.xattr.trusted.evil":        "v",
		"SCHILY.xattr.user.overlay.opaque": "y",
		"SCHILY.xattr.security.selinux":    "system_u:object_r:etc_t:s0",
	}
	lnk := symlink("bin/sh", "su")
	lnk.Uid, lnk.Gid, lnk.ModTime = 42, 43, old
	fifo := ent{Header: tar.Header{Typeflag: tar.TypeFifo, Name: "run/fifo", Mode: 0o620, ModTime: old}}
	bin := dir("bin/")
	bin.ModTime = old

	entries := []ent{
		bin, suid, lnk, hardlink("bin/su2", "bin/su"), sgid, file("tmp/child", "c"),
		xa, fifo, chardev("dev/null", 1, 3),
	}
	for i := range entries {
		entries[i].Format = tar.FormatPAX // keeps nanoseconds
	}
	d := unpackBytes(t, mkTar(t, entries...), Options{})

	type meta struct {
		Mode     uint32
		Uid, Gid uint32
		Mtime    int64
		Atime    int64
		Rdev     uint64
	}
	got := func(p string) meta {
		st := lstat(t, filepath.Join(d, p))
		return meta{st.Mode, st.Uid, st.Gid, st.Mtim.Nano(), st.Atim.Nano(), st.Rdev}
	}
	tests := []struct {
		path string
		want meta
	}{
		{"bin/su", meta{unix.S_IFREG | 0o4755, 1234, 5678, old.UnixNano(), atime.UnixNano(), 0}},
		{"bin/sh", meta{unix.S_IFLNK | 0o777, 42, 43, old.UnixNano(), old.UnixNano(), 0}},
		// Directory times survive the creation of their children.
		{"bin", meta{unix.S_IFDIR | 0o755, 0, 0, old.UnixNano(), old.UnixNano(), 0}},
		{"tmp", meta{unix.S_IFDIR | 0o3777, 0, 0, old.UnixNano(), old.UnixNano(), 0}},
		{"run/fifo", meta{unix.S_IFIFO | 0o620, 0, 0, old.UnixNano(), old.UnixNano(), 0}},
		{"dev/null", meta{unix.S_IFCHR | 0o666, 0, 0, testTime.UnixNano(), testTime.UnixNano(), unix.Mkdev(1, 3)}},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, got(tc.path)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	t.Run("hardlink shares inode", func(t *testing.T) {
		a, b := lstat(t, filepath.Join(d, "bin/su")), lstat(t, filepath.Join(d, "bin/su2"))
		if a.Ino != b.Ino || a.Nlink != 2 {
			t.Errorf("bin/su ino %d nlink %d, bin/su2 ino %d; want one inode with 2 links", a.Ino, a.Nlink, b.Ino)
		}
	})
	t.Run("xattrs", func(t *testing.T) {
		if diff := cmp.Diff([]string{"user.keep"}, listXattrs(t, filepath.Join(d, "xa"))); diff != "" {
			t.Errorf("xattrs (-want +got):\n%s", diff)
		}
	})
}

func TestRootlessChown(t *testing.T) {
	// An id past the mapped range fails with EINVAL in a user namespace;
	// outside one it works, so this checks Rootless keeps the file.
	f := file("f", "x")
	f.Uid = 1 << 30
	d := unpackBytes(t, mkTar(t, f), Options{Rootless: true})
	wantContent(t, filepath.Join(d, "f"), "x")
}

func TestReplace(t *testing.T) {
	d := unpackBytes(t, mkTar(t,
		dir("a/"), file("a/f", "old"),
		file("a", "file over dir"),
		file("b/f", "kept"), dir("b/"), file("b/g", "merged"),
		file("c", "x"), symlink("c", "target"),
		file("d", "old"), file("d", "new"),
	), Options{})
	wantContent(t, filepath.Join(d, "a"), "file over dir")
	wantContent(t, filepath.Join(d, "b/f"), "kept")
	wantContent(t, filepath.Join(d, "b/g"), "merged")
	wantLink(t, filepath.Join(d, "c"), "target")
	wantContent(t, filepath.Join(d, "d"), "new")
}
