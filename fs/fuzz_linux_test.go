package fs

import (
	"archive/tar"
	"bytes"
	"io"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzUnpack feeds arbitrary tars to Unpack and checks that nothing next
// to the layer directory changes, whatever Unpack returns. Seeds are the
// breakout table; absolute host paths in them point at the seed's own temp
// directory, so the fuzzer mostly explores relative escapes.
func FuzzUnpack(f *testing.F) {
	for _, b := range breakouts() {
		f.Add(mkTar(f, b.entries("/tmp/fuzz-seed")...))
	}
	f.Fuzz(func(t *testing.T, tarball []byte) {
		if !smallTar(tarball) {
			t.Skip("claims more than 16 MiB of content")
		}
		parent := t.TempDir()
		d := filepath.Join(parent, "dir")
		setupOutside(t, parent, d)
		before := snapshot(t, parent, d)
		Unpack(bytes.NewReader(tarball), d, io.Discard, Options{})
		if diff := cmp.Diff(before, snapshot(t, parent, d)); diff != "" {
			t.Fatalf("outside of dir changed (-before +after):\n%s", diff)
		}
	})
}

// smallTar keeps sparse headers that claim huge files (written out as
// zeros) from stalling the fuzzer.
func smallTar(b []byte) bool {
	tr := tar.NewReader(bytes.NewReader(b))
	var total int64
	for {
		h, err := tr.Next()
		if err != nil {
			return true
		}
		total += h.Size
		if h.Size < 0 || total > 16<<20 {
			return false
		}
	}
}
