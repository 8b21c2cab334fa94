package fs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

// TestAdoptUpper: an upper directory adopted in place holds what
// Unpack makes of WriteDiff's tar of it (times aside: the tar has whole
// seconds, clamped), its diffID is that tar's, and the metadata
// rebuilds that tar byte for byte. The xattrs Unpack would not set are
// gone from tree and tar: a trusted.overlay.redirect left in a lower
// directory would send the overlays that use the layer to another path
// of the image.
func TestAdoptUpper(t *testing.T) {
	// The same tree twice (the epoch clamps the times): the reference
	// without the xattrs no layer may set, the other with overlay's
	// redirect and a socket besides.
	ref, lower := upperTree(t)
	must(t, unix.Lremovexattr(filepath.Join(ref, "new/file"), "trusted.keep"))
	o := testDiffOptions(lower)
	var tarball bytes.Buffer
	must(t, WriteDiff(&tarball, ref, o))
	want := unpackBytes(t, tarball.Bytes(), Options{})

	upper, _ := upperTree(t)
	must(t, unix.Lsetxattr(filepath.Join(upper, "new"), "trusted.overlay.redirect", []byte("/etc"), 0))
	must(t, unix.Mknod(filepath.Join(upper, "new/sock"), unix.S_IFSOCK|0o644, 0))
	etcBefore := lstat(t, filepath.Join(upper, "etc"))

	dir := filepath.Join(t.TempDir(), "diff")
	var meta bytes.Buffer
	sm := &sizeMeta{Writer: &meta, n: -1}
	sum, err := AdoptUpper(upper, dir, sm, o)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := Size(dir); err != nil || sm.n != n {
		t.Errorf("AdoptUpper told size %d, Size %d (%v)", sm.n, n, err)
	}
	if exists(upper) {
		t.Errorf("%s still exists after AdoptUpper", upper)
	}
	wantSum := sha256.Sum256(tarball.Bytes())
	if sum != hex.EncodeToString(wantSum[:]) {
		t.Errorf("AdoptUpper diffID %s, want the tar's %x", sum, wantSum)
	}
	if d := cmp.Diff(timeless(snapshot(t, want, "")), timeless(snapshot(t, dir, ""))); d != "" {
		t.Errorf("adopted tree vs Unpack of the tar (-want +got):\n%s", d)
	}
	if got := lstat(t, filepath.Join(dir, "etc")); got.Mtim != etcBefore.Mtim {
		t.Errorf("etc mtime %v after its stubs were removed, want %v", got.Mtim, etcBefore.Mtim)
	}
	rc := Reassemble(dir, &meta)
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, tarball.Bytes()) {
		t.Errorf("Reassemble gave %d bytes differing from the %d-byte tar", len(got), tarball.Len())
	}
}

var snapTimes = regexp.MustCompile(` mtime=\d+`)
var dirSize = regexp.MustCompile(`^(40\d+ \d+:\d+) size=\d+`)

// timeless drops what a snapshot says of times, and directory sizes
// (a filesystem's block count for the entries it ever held).
func timeless(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		v = snapTimes.ReplaceAllString(v, "")
		out[k] = dirSize.ReplaceAllString(v, "$1")
	}
	return out
}

// TestHasChanges: what Diff lists, nothing else: hidden files and empty
// mount stubs are no change.
func TestHasChanges(t *testing.T) {
	upper, lower := upperTree(t)
	stubs := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(stubs, "proc"), 0o755))
	must(t, os.MkdirAll(filepath.Join(stubs, "etc"), 0o755))
	must(t, os.WriteFile(filepath.Join(stubs, "etc/hosts"), []byte("127.0.0.1 x\n"), 0o644))
	for _, tc := range []struct {
		name, upper string
		want        bool
	}{
		{"changes", upper, true},
		{"only stubs", stubs, false},
		{"empty", t.TempDir(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := HasChanges(tc.upper, testDiffOptions(lower))
			if err != nil || got != tc.want {
				t.Errorf("HasChanges = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// adoptTreeFixture makes an upper directory with what AdoptUpper's one
// walk treats each its own way: a file larger than its read-ahead
// (streamed from its descriptor), a hard link whose inode carries a
// trusted xattr, a kept user xattr, overlay's xattrs on a file, a
// directory, a symlink and the root, a FIFO, a whiteout, an opaque
// directory, a socket and mount stubs (an empty stub file, a
// stub-only directory). strip leaves out the xattrs AdoptUpper removes
// and WriteDiff would record (trusted.*), for a reference tree.
func adoptTreeFixture(t *testing.T, strip bool) string {
	t.Helper()
	upper := filepath.Join(t.TempDir(), "upper")
	for _, d := range []string{"etc", "opaque/sub", "proc", "mnt/vol", "big", "links"} {
		must(t, os.MkdirAll(filepath.Join(upper, d), 0o755))
	}
	must(t, os.WriteFile(filepath.Join(upper, "etc/hosts"), []byte("127.0.0.1 x\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(upper, "etc/resolv.conf"), nil, 0o644))
	must(t, os.WriteFile(filepath.Join(upper, "etc/passwd"), []byte("root\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(upper, "big/blob"), bytes.Repeat([]byte("0123456789abcdef"), (readAhead+4096)/16), 0o644))
	must(t, os.WriteFile(filepath.Join(upper, "links/a"), []byte("same inode"), 0o600))
	must(t, os.Link(filepath.Join(upper, "links/a"), filepath.Join(upper, "links/b")))
	must(t, os.WriteFile(filepath.Join(upper, "opaque/sub/kept"), []byte("k"), 0o644))
	must(t, os.WriteFile(filepath.Join(upper, "empty"), nil, 0o644))
	must(t, os.Symlink("/etc/shadow", filepath.Join(upper, "link")))
	must(t, unix.Mkfifo(filepath.Join(upper, "fifo"), 0o600))
	must(t, unix.Mknod(filepath.Join(upper, "gone"), unix.S_IFCHR, 0))
	must(t, unix.Mknod(filepath.Join(upper, "etc/sock"), unix.S_IFSOCK|0o644, 0))
	must(t, unix.Lsetxattr(filepath.Join(upper, "opaque"), DefaultOpaqueXattr, []byte("y"), 0))
	must(t, unix.Lsetxattr(filepath.Join(upper, "big/blob"), "user.keep", []byte("v"), 0))
	must(t, unix.Lsetxattr(filepath.Join(upper, "etc"), "user.dirkeep", []byte("d"), 0))
	for _, p := range []string{"", "etc", "etc/passwd", "link", "big/blob", "gone"} {
		must(t, unix.Lsetxattr(filepath.Join(upper, p), "trusted.overlay.origin", []byte("x"), 0))
	}
	if !strip {
		must(t, unix.Lsetxattr(filepath.Join(upper, "links/a"), "trusted.other", []byte("t"), 0))
		must(t, unix.Lsetxattr(filepath.Join(upper, "fifo"), "trusted.other", []byte("t"), 0))
	}
	return upper
}

// TestAdoptUpperOneWalk: AdoptUpper's single walk gives WriteDiff's tar
// of the pruned tree byte for byte, with every kind of entry and both
// ways of reading a file, and leaves the tree Unpack makes of it: stubs,
// hidden files and sockets gone, whiteouts and opaque markers kept,
// overlay's and trusted xattrs gone from every entry (the root, a hard
// link's inode, a FIFO and a symlink too), user xattrs kept.
func TestAdoptUpperOneWalk(t *testing.T) {
	epoch := time.Unix(1000, 0)
	o := DiffOptions{
		Hidden: []string{"/etc/hosts", "/etc/resolv.conf"},
		Stubs:  []string{"/proc", "/mnt/vol", "/empty"},
		Epoch:  &epoch,
	}
	ref := adoptTreeFixture(t, true)
	var tarball bytes.Buffer
	must(t, WriteDiff(&tarball, ref, o))
	want := unpackBytes(t, tarball.Bytes(), Options{})

	upper := adoptTreeFixture(t, false)
	dir := filepath.Join(filepath.Dir(upper), "diff")
	var meta bytes.Buffer
	sum, err := AdoptUpper(upper, dir, &meta, o)
	if err != nil {
		t.Fatal(err)
	}
	if s := sha256.Sum256(tarball.Bytes()); sum != hex.EncodeToString(s[:]) {
		t.Errorf("AdoptUpper diffID %s, want WriteDiff's %x", sum, s)
	}
	rc := Reassemble(dir, &meta)
	defer rc.Close()
	got, err := io.ReadAll(rc)
	must(t, err)
	if !bytes.Equal(got, tarball.Bytes()) {
		t.Errorf("adopted tar (%d bytes) differs from WriteDiff's (%d bytes)", len(got), tarball.Len())
	}
	if d := cmp.Diff(timeless(snapshot(t, want, "")), timeless(snapshot(t, dir, ""))); d != "" {
		t.Errorf("adopted tree vs Unpack of the tar (-want +got):\n%s", d)
	}
	for _, p := range []string{"etc/hosts", "etc/resolv.conf", "etc/sock", "proc", "mnt", "empty"} {
		if exists(filepath.Join(dir, p)) {
			t.Errorf("%s left in the adopted tree", p)
		}
	}
	for _, p := range []string{"", "etc", "etc/passwd", "link", "big/blob", "gone", "links/a", "fifo"} {
		if keys := xattrKeys(t, filepath.Join(dir, p)); slices.ContainsFunc(keys, func(k string) bool { return strings.HasPrefix(k, "trusted.") }) {
			t.Errorf("/%s keeps %q", p, keys)
		}
	}
	if v := getXattr(filepath.Join(dir, "opaque"), DefaultOpaqueXattr); v != "y" {
		t.Errorf("opaque marker %q, want y", v)
	}
	if st := lstat(t, filepath.Join(dir, "gone")); st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != 0 {
		t.Errorf("whiteout mode %o rdev %d", st.Mode, st.Rdev)
	}
}

func xattrKeys(t *testing.T, p string) []string {
	t.Helper()
	buf := make([]byte, 4096)
	n, err := unix.Llistxattr(p, buf)
	must(t, err)
	return strings.FieldsFunc(string(buf[:n]), func(r rune) bool { return r == 0 })
}

// TestAdoptUpperNoFollow: the upper directory is the container's. A
// symlink in it to a host directory is a symlink in the layer: the walk
// neither prunes a hidden path nor strips an xattr through it
// (CVE-2018-15664, the docker cp symlink class).
func TestAdoptUpperNoFollow(t *testing.T) {
	host := t.TempDir()
	must(t, os.WriteFile(filepath.Join(host, "hosts"), []byte("host file\n"), 0o644))
	must(t, unix.Lsetxattr(filepath.Join(host, "hosts"), "trusted.overlay.origin", []byte("x"), 0))
	must(t, unix.Lsetxattr(host, "trusted.overlay.origin", []byte("x"), 0))
	upper := filepath.Join(t.TempDir(), "upper")
	must(t, os.Mkdir(upper, 0o755))
	must(t, os.Symlink(host, filepath.Join(upper, "etc")))
	o := DiffOptions{Hidden: []string{"/etc/hosts"}, Stubs: []string{"/etc"}}
	if _, err := AdoptUpper(upper, filepath.Join(filepath.Dir(upper), "diff"), io.Discard, o); err != nil {
		t.Fatal(err)
	}
	if !exists(filepath.Join(host, "hosts")) {
		t.Fatal("AdoptUpper removed a host file through a symlink in the upper directory")
	}
	for _, p := range []string{host, filepath.Join(host, "hosts")} {
		if !slices.Contains(xattrKeys(t, p), "trusted.overlay.origin") {
			t.Errorf("AdoptUpper stripped %s's xattrs through a symlink", p)
		}
	}
}

// TestOpenListed: AdoptUpper's walk takes a regular file's type from
// its directory entry and stats it only through the descriptor it
// opens; a symlink to a host file or a FIFO put in its place after the
// listing is refused, never followed nor blocked on (the CVE-2018-15664
// class of swaps).
func TestOpenListed(t *testing.T) {
	for _, tc := range []struct {
		name string
		swap func(p string) error
	}{
		{"symlink", func(p string) error { return os.Symlink("/etc/passwd", p) }},
		{"fifo", func(p string) error { return unix.Mkfifo(p, 0o644) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "f")
			must(t, os.WriteFile(p, []byte("x"), 0o644))
			ents, err := readDirentsAt(dir)
			must(t, err)
			if len(ents) != 1 || ents[0].typ != unix.DT_REG {
				t.Fatalf("listing %+v, want one regular file", ents)
			}
			fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
			must(t, err)
			defer unix.Close(fd)
			must(t, os.Remove(p))
			must(t, tc.swap(p))
			e := upperEntry{rel: "f", dirfd: fd, name: "f", fd: -1, unstat: true}
			if got, err := openListed(&e); err == nil {
				unix.Close(got)
				t.Fatalf("openListed opened a %s swapped in after the listing", tc.name)
			}
		})
	}
}

func readDirentsAt(dir string) ([]dirent, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	return readDirents(fd)
}

// TestReadDirents: the names readNames gives, with each entry's type.
func TestReadDirents(t *testing.T) {
	dir := t.TempDir()
	for i := range 500 {
		must(t, os.WriteFile(filepath.Join(dir, "file-with-a-long-name-"+strconv.Itoa(i)), nil, 0o644))
	}
	must(t, os.Mkdir(filepath.Join(dir, "d"), 0o755))
	must(t, os.Symlink("d", filepath.Join(dir, "l")))
	ents, err := readDirentsAt(dir)
	must(t, err)
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	must(t, err)
	defer unix.Close(fd)
	names, err := readNames(fd)
	must(t, err)
	var got []string
	types := map[string]uint8{}
	for _, e := range ents {
		got = append(got, e.name)
		types[e.name] = e.typ
	}
	if d := cmp.Diff(names, got); d != "" {
		t.Errorf("names (-readNames +readDirents):\n%s", d)
	}
	if types["d"] != unix.DT_DIR || types["l"] != unix.DT_LNK || types["file-with-a-long-name-7"] != unix.DT_REG {
		t.Errorf("types d=%d l=%d file=%d", types["d"], types["l"], types["file-with-a-long-name-7"])
	}
}

// failAfter fails every write after n bytes.
type failAfter struct{ n int }

func (f *failAfter) Write(b []byte) (int, error) {
	if f.n -= len(b); f.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(b), nil
}

// TestAdoptUpperWriterFails: a failing metadata writer stops the walk
// and its readers without a hang, and every descriptor they opened is
// closed.
func TestAdoptUpperWriterFails(t *testing.T) {
	upper := filepath.Join(t.TempDir(), "upper")
	for d := range 4 {
		p := filepath.Join(upper, "d"+strconv.Itoa(d))
		must(t, os.MkdirAll(p, 0o755))
		for f := range 300 {
			must(t, os.WriteFile(filepath.Join(p, strconv.Itoa(f)), []byte("content"), 0o644))
		}
	}
	must(t, os.WriteFile(filepath.Join(upper, "d2/big"), make([]byte, 2*readAhead), 0o644))
	fds := func() int {
		des, err := os.ReadDir("/proc/self/fd")
		must(t, err)
		return len(des)
	}
	before := fds()
	_, err := AdoptUpper(upper, filepath.Join(filepath.Dir(upper), "diff"), &failAfter{n: 4096}, DiffOptions{})
	if err == nil {
		t.Fatal("AdoptUpper succeeded with a failing metadata writer")
	}
	// The walk's goroutines finish after AdoptUpper returns.
	for range 1000 {
		if fds() <= before {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("%d descriptors open after a failed AdoptUpper, %d before", fds(), before)
}

// BenchmarkAdoptUpper adopts the upper directory of an install step:
// 3,000 small files in 30 new directories under a copied-up one, and
// the mount stubs pocket leaves.
func BenchmarkAdoptUpper(b *testing.B) {
	o := DiffOptions{
		Hidden: []string{"/etc/hosts", "/etc/resolv.conf", "/etc/hostname"},
		Stubs:  []string{"/proc", "/dev", "/sys"},
	}
	for b.Loop() {
		b.StopTimer()
		base := b.TempDir()
		upper := filepath.Join(base, "upper")
		for _, d := range []string{"etc", "proc", "dev", "sys"} {
			if err := os.MkdirAll(filepath.Join(upper, d), 0o755); err != nil {
				b.Fatal(err)
			}
		}
		for _, f := range []string{"etc/hosts", "etc/resolv.conf", "etc/hostname"} {
			if err := os.WriteFile(filepath.Join(upper, f), nil, 0o644); err != nil {
				b.Fatal(err)
			}
		}
		if err := unix.Lsetxattr(filepath.Join(upper, "etc"), "trusted.overlay.origin", []byte("x"), 0); err != nil {
			b.Fatal(err)
		}
		for p := range 30 {
			d := filepath.Join(upper, "usr/lib/site", "pkg"+strconv.Itoa(p))
			if err := os.MkdirAll(d, 0o755); err != nil {
				b.Fatal(err)
			}
			for m := range 100 {
				if err := os.WriteFile(filepath.Join(d, "mod"+strconv.Itoa(m)+".py"), []byte("def f():\n    return 1.2\n"), 0o644); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.StartTimer()
		if _, err := AdoptUpper(upper, filepath.Join(base, "diff"), io.Discard, o); err != nil {
			b.Fatal(err)
		}
	}
}
