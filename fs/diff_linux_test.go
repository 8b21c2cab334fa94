package fs

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

// upperTree makes an overlay upper directory (and one lower directory)
// with every kind of change. It needs root for the whiteout device and
// the trusted.* xattrs, as overlay itself does.
func upperTree(t *testing.T) (upper, lower string) {
	t.Helper()
	base := t.TempDir()
	upper, lower = filepath.Join(base, "upper"), filepath.Join(base, "lower")
	for _, d := range []string{"etc", "gone", "opaque/old", "mnt"} {
		must(t, os.MkdirAll(filepath.Join(lower, d), 0o755))
	}
	must(t, os.WriteFile(filepath.Join(lower, "etc/passwd"), []byte("root\n"), 0o644))
	for _, d := range []string{"etc", "opaque", "new", "mnt/vol", "proc", "emptydir"} {
		must(t, os.MkdirAll(filepath.Join(upper, d), 0o755))
	}
	must(t, os.WriteFile(filepath.Join(upper, "etc/passwd"), []byte("root\nme\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(upper, "etc/hosts"), []byte("127.0.0.1 x\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(upper, "etc/resolv.conf"), nil, 0o644))
	must(t, os.WriteFile(filepath.Join(upper, "new/file"), []byte("hello"), 0o600))
	must(t, os.WriteFile(filepath.Join(upper, "opaque/kept"), []byte("k"), 0o644))
	must(t, os.Symlink("/etc/shadow", filepath.Join(upper, "new/link")))
	must(t, os.Link(filepath.Join(upper, "new/file"), filepath.Join(upper, "new/hard")))
	must(t, unix.Mknod(filepath.Join(upper, "gone"), unix.S_IFCHR, 0))
	must(t, unix.Lsetxattr(filepath.Join(upper, "opaque"), DefaultOpaqueXattr, []byte("y"), 0))
	must(t, unix.Lsetxattr(filepath.Join(upper, "etc/passwd"), "trusted.overlay.origin", []byte("x"), 0))
	must(t, unix.Lsetxattr(filepath.Join(upper, "new/file"), "trusted.keep", []byte("v"), 0))
	must(t, os.Chown(filepath.Join(upper, "new/file"), 1000, 1001))
	return upper, lower
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func testDiffOptions(lower string) DiffOptions {
	epoch := time.Unix(1000, 0)
	return DiffOptions{
		Lower:  []string{lower},
		Hidden: []string{"/etc/hosts", "/etc/resolv.conf", "/etc/hostname"},
		Stubs:  []string{"/mnt/vol", "/proc"},
		Epoch:  &epoch,
	}
}

func TestDiff(t *testing.T) {
	upper, lower := upperTree(t)
	got, err := Diff(upper, testDiffOptions(lower))
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{
		{"/emptydir", Added}, {"/etc", Modified}, {"/etc/passwd", Modified}, {"/gone", Deleted},
		{"/new", Added}, {"/new/file", Added}, {"/new/hard", Added}, {"/new/link", Added},
		{"/opaque", Modified}, {"/opaque/kept", Added},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Diff (-want +got):\n%s", d)
	}
}

type entry struct {
	Name, Link string
	Type       byte
	Uid, Gid   int
	Mode       int64
	Xattrs     map[string]string
	Body       string
	ModTime    int64
}

func TestWriteDiff(t *testing.T) {
	upper, lower := upperTree(t)
	var buf bytes.Buffer
	if err := WriteDiff(&buf, upper, testDiffOptions(lower)); err != nil {
		t.Fatal(err)
	}
	var got []entry
	tr := tar.NewReader(bytes.NewReader(buf.Bytes()))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		e := entry{Name: h.Name, Link: h.Linkname, Type: h.Typeflag, Uid: h.Uid, Gid: h.Gid, Mode: h.Mode, Body: string(body), ModTime: h.ModTime.Unix()}
		for k, v := range h.PAXRecords {
			if e.Xattrs == nil {
				e.Xattrs = map[string]string{}
			}
			e.Xattrs[k] = v
		}
		if h.ModTime.Unix() > 1000 {
			t.Errorf("%s: mtime %v after SOURCE_DATE_EPOCH", h.Name, h.ModTime)
		}
		got = append(got, e)
	}
	want := []entry{
		// An empty directory the container made is a change; mnt/vol,
		// an empty mount stub, is not, nor is mnt that only holds it.
		{Name: "emptydir/", Type: tar.TypeDir, Mode: 0o755},
		{Name: "etc/", Type: tar.TypeDir, Mode: 0o755},
		// trusted.overlay.origin is overlay's own: dropped.
		{Name: "etc/passwd", Type: tar.TypeReg, Mode: 0o644, Body: "root\nme\n"},
		{Name: ".wh.gone", Type: tar.TypeReg, Mode: 0o644},
		{Name: "new/", Type: tar.TypeDir, Mode: 0o755},
		{Name: "new/file", Type: tar.TypeReg, Mode: 0o600, Uid: 1000, Gid: 1001, Body: "hello",
			Xattrs: map[string]string{"SCHILY.xattr.trusted.keep": "v"}},
		{Name: "new/hard", Link: "new/file", Type: tar.TypeLink, Mode: 0o600, Uid: 1000, Gid: 1001},
		{Name: "new/link", Link: "/etc/shadow", Type: tar.TypeSymlink, Mode: 0o777},
		{Name: "opaque/", Type: tar.TypeDir, Mode: 0o755},
		{Name: "opaque/.wh..wh..opq", Type: tar.TypeReg, Mode: 0o644},
		{Name: "opaque/kept", Type: tar.TypeReg, Mode: 0o644, Body: "k"},
	}
	for i := range got {
		got[i].ModTime = 0 // checked above
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("WriteDiff entries (-want +got):\n%s", d)
	}

	// Determinism: the same tree gives the same bytes, and the layer
	// unpacks again into the same overlay form.
	var again bytes.Buffer
	if err := WriteDiff(&again, upper, testDiffOptions(lower)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("two WriteDiff of the same tree differ")
	}
	dir := t.TempDir()
	if _, err := Unpack(bytes.NewReader(buf.Bytes()), dir, nil, Options{}); err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	if err := unix.Lstat(filepath.Join(dir, "gone"), &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR {
		t.Errorf("unpacked whiteout: %v, mode %o", err, st.Mode)
	}
}

// TestWriteDiffNoFollow: a container may swap a listed file for a
// symlink to a host file while it is committed; WriteDiff reads through
// descriptors with O_NOFOLLOW and refuses it (the CVE-2018-15664 class of
// docker cp races).
func TestWriteDiffNoFollow(t *testing.T) {
	upper := t.TempDir()
	must(t, os.WriteFile(filepath.Join(upper, "f"), []byte("x"), 0o644))
	fd, err := unix.Open(upper, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	must(t, err)
	defer unix.Close(fd)
	e := upperEntry{rel: "f", dirfd: fd, name: "f"}
	must(t, unix.Fstatat(fd, "f", &e.st, unix.AT_SYMLINK_NOFOLLOW))
	must(t, os.Remove(filepath.Join(upper, "f")))
	must(t, os.Symlink("/etc/passwd", filepath.Join(upper, "f")))
	if f, err := openRegular(e); err == nil {
		f.Close()
		t.Fatal("openRegular followed a symlink swapped in after listing")
	}
}

func TestWriteMerged(t *testing.T) {
	upper, lower := upperTree(t)
	must(t, os.WriteFile(filepath.Join(lower, "gone/file"), []byte("g"), 0o644))
	must(t, os.WriteFile(filepath.Join(lower, "opaque/old/file"), []byte("o"), 0o644))
	must(t, os.WriteFile(filepath.Join(lower, "base"), []byte("b"), 0o644))
	must(t, os.Symlink("/", filepath.Join(lower, "rootlink")))
	var buf bytes.Buffer
	if err := WriteMerged(&buf, []string{upper, lower}, ""); err != nil {
		t.Fatal(err)
	}
	var got []string
	tr := tar.NewReader(&buf)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, h.Name)
	}
	want := []string{
		"base", "emptydir/", "etc/", "etc/hosts", "etc/passwd", "etc/resolv.conf", "mnt/", "mnt/vol/",
		"new/", "new/file", "new/hard", "new/link", "opaque/", "opaque/kept", "proc/", "rootlink",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("WriteMerged names (-want +got):\n%s", d)
	}
}
