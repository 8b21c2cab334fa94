package fs

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
)

// BenchmarkUnpack unpacks a layer of 1000 small files in 50 directories,
// with tar-split metadata as a pull does.
func BenchmarkUnpack(b *testing.B) {
	var entries []ent
	for d := range 50 {
		entries = append(entries, dir(fmt.Sprintf("usr/lib/d%d/", d)))
		for f := range 20 {
			entries = append(entries, file(fmt.Sprintf("usr/lib/d%d/f%d", d, f), strings.Repeat("x", 4096)))
		}
	}
	tarball := mkTar(b, entries...)
	b.SetBytes(int64(len(tarball)))
	for b.Loop() {
		if _, err := Unpack(bytes.NewReader(tarball), b.TempDir(), io.Discard, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
