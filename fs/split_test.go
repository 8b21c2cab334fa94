package fs

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"testing"
	"unicode/utf8"

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

// TestMetaPackerAsJSONEncoder: metaPacker's lines are encoding/json's,
// byte for byte, for names plain, escaped, non-ASCII and invalid UTF-8,
// with and without payloads and sizes.
func TestMetaPackerAsJSONEncoder(t *testing.T) {
	entries := []storage.Entry{
		{Type: storage.SegmentType, Payload: bytes.Repeat([]byte{0, 1, 0xff}, 200)},
		{Type: storage.FileType, Name: "usr/bin/a", Size: 1500, Payload: []byte{1, 2, 3, 4, 5, 6, 7, 8}},
		{Type: storage.FileType, Name: "d/"},
		{Type: storage.FileType, Name: `q"uo\te <&> tab` + "\t\x01\x7f", Size: 1},
		{Type: storage.FileType, Name: "caf\u00e9/\u2028line"},
		{Type: storage.FileType, Name: "bad\xffutf8", Size: 3},
		{Type: storage.SegmentType, Payload: []byte{}},
	}
	var got, want bytes.Buffer
	p := newMetaPacker(&got)
	enc := json.NewEncoder(&want)
	for i, e := range entries {
		if _, err := p.AddEntry(e); err != nil {
			t.Fatal(err)
		}
		if e.Name != "" && !utf8.ValidString(e.Name) {
			e.NameRaw, e.Name = []byte(e.Name), ""
		}
		e.Position = i
		if err := enc.Encode(e); err != nil {
			t.Fatal(err)
		}
	}
	if got.String() != want.String() {
		t.Errorf("metaPacker:\n%s\nencoding/json:\n%s", got.String(), want.String())
	}
}

// sizeMeta is a metadata writer that asks for the tree's size.
type sizeMeta struct {
	io.Writer
	n int64
}

func (m *sizeMeta) RecordSize(n int64) { m.n = n }

// TestUnpackRecordsSize: the size Unpack tells a SizeRecorder is Size's
// count of the tree it made, with a file replaced by a later entry, a
// hardlink, a whiteout and a directory.
func TestUnpackRecordsSize(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(h *tar.Header, n int) {
		h.Mode = 0o644
		h.Size = int64(n)
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write(make([]byte, n))
	}
	add(&tar.Header{Name: "d/", Typeflag: tar.TypeDir}, 0)
	add(&tar.Header{Name: "d/a", Typeflag: tar.TypeReg}, 100)
	add(&tar.Header{Name: "d/a", Typeflag: tar.TypeReg}, 30) // replaces
	add(&tar.Header{Name: "d/b", Typeflag: tar.TypeReg}, 7)
	add(&tar.Header{Name: "d/hl", Typeflag: tar.TypeLink, Linkname: "d/b"}, 0)
	add(&tar.Header{Name: "d/.wh.gone", Typeflag: tar.TypeReg}, 0)
	add(&tar.Header{Name: "e", Typeflag: tar.TypeSymlink, Linkname: "d/a"}, 0)
	tw.Close()
	dir := t.TempDir()
	m := &sizeMeta{Writer: io.Discard, n: -1}
	if _, err := Unpack(&buf, dir, m, OptionsFor(false)); err != nil {
		t.Fatal(err)
	}
	want, err := Size(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m.n != want || want != 37 {
		t.Errorf("recorded size %d, Size %d; want 37", m.n, want)
	}
}
