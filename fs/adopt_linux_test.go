package fs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"testing"

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
