package fs

import (
	"archive/tar"
	"bytes"
	"io"
	"testing"

	"github.com/vbatts/tar-split/tar/asm"
	"github.com/vbatts/tar-split/tar/storage"
)

// TestSplitTarAsTarSplit: splitTar passes the tar through unchanged and
// records the same metadata as tar-split's own NewInputTarStream, for a
// tar with empty and large files, a directory, a link and bytes after
// its end.
func TestSplitTarAsTarSplit(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	files := []struct {
		name string
		size int
		typ  byte
	}{{"d/", 0, tar.TypeDir}, {"d/empty", 0, tar.TypeReg}, {"d/small", 1500, tar.TypeReg}, {"big", 600 << 10, tar.TypeReg}, {"l", 0, tar.TypeSymlink}}
	for i, f := range files {
		h := &tar.Header{Name: f.name, Typeflag: f.typ, Size: int64(f.size), Mode: 0o644, Linkname: map[bool]string{true: "d/small"}[f.typ == tar.TypeSymlink]}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write(bytes.Repeat([]byte{byte(i + 1)}, f.size))
	}
	tw.Close()
	buf.Write(make([]byte, 3000)) // padding past the end
	in := buf.Bytes()

	var wantMeta bytes.Buffer
	stream, done, err := asm.NewInputTarStreamWithDone(bytes.NewReader(in), newMetaPacker(&wantMeta), storage.NewDiscardFilePutter())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, stream); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	var gotMeta bytes.Buffer
	r, sdone := splitTar(bytes.NewReader(in), newMetaPacker(&gotMeta))
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-sdone; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, in) {
		t.Errorf("stream changed: %d bytes out of %d", len(out), len(in))
	}
	if !bytes.Equal(gotMeta.Bytes(), wantMeta.Bytes()) {
		t.Errorf("metadata differs from tar-split's:\n got %s\nwant %s", gotMeta.Bytes(), wantMeta.Bytes())
	}
}

// TestSplitTarClosedEarly: a consumer that stops reading ends the
// splitter with an error rather than leaving it blocked.
func TestSplitTarClosedEarly(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for i := range 200 {
		tw.WriteHeader(&tar.Header{Name: "f" + string(rune('a'+i%26)) + string(rune('a'+i/26)), Typeflag: tar.TypeReg, Size: 4096, Mode: 0o644})
		tw.Write(make([]byte, 4096))
	}
	tw.Close()
	r, done := splitTar(&buf, newMetaPacker(io.Discard))
	r.Read(make([]byte, 10))
	r.Close()
	if err := <-done; err == nil {
		t.Error("splitter ended without error after its reader closed")
	}
}
