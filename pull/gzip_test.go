package pull

import (
	"bytes"
	"compress/gzip"
	"io"
	"math/rand"
	"testing"
	"testing/iotest"
)

// TestGzipWriter: every size round-trips through Go's gzip reader (the
// trailer's CRC and size included), across block edges, with compressible
// and incompressible blocks side by side.
func TestGzipWriter(t *testing.T) {
	rnd := rand.New(rand.NewSource(1))
	noise := make([]byte, 3*gzipBlock)
	rnd.Read(noise)
	// Random letters: no repeats for gzip's fastest level, so coded with
	// Huffman codes alone.
	letters := make([]byte, 2*gzipBlock+77)
	for i := range letters {
		letters[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[rnd.Intn(64)]
	}
	text := bytes.Repeat([]byte("a layer of text, repeated. "), 3*gzipBlock/27+1)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"one byte", []byte{7}},
		{"block less one", text[:gzipBlock-1]},
		{"one block", text[:gzipBlock]},
		{"block and one", text[:gzipBlock+1]},
		{"small dictionary", text[:gzipDict/2+gzipBlock]},
		{"noise", noise},
		{"letters", letters},
		{"text, letters, noise", append(append(append([]byte{}, text[:gzipBlock+5]...), letters...), noise[:gzipBlock]...)},
		{"text then noise", append(append([]byte{}, text[:2*gzipBlock+5]...), noise[:gzipBlock]...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			// Small writes, as tar headers come.
			if err := compress(&b, io.MultiReader(bytes.NewReader(tc.data[:len(tc.data)/3]), bytes.NewReader(tc.data[len(tc.data)/3:]))); err != nil {
				t.Fatal(err)
			}
			if tc.name == "letters" && b.Len() > len(tc.data)*4/5 {
				t.Errorf("letters compressed to %d bytes of %d, want at most 4/5", b.Len(), len(tc.data))
			}
			zr, err := gzip.NewReader(&b)
			if err != nil {
				t.Fatal(err)
			}
			zr.Multistream(false)
			back, err := io.ReadAll(zr)
			if err != nil {
				t.Fatalf("decompress: %v", err)
			}
			if !bytes.Equal(back, tc.data) {
				t.Fatalf("got %d bytes back, want %d", len(back), len(tc.data))
			}
			if b.Len() != 0 {
				t.Errorf("%d bytes after gzip's trailer", b.Len())
			}
		})
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, io.ErrClosedPipe
	}
	f.n--
	return len(p), nil
}

// TestGzipWriterFails: a destination that fails ends the compression with
// its error, and the blocks in flight go back for the next layer.
func TestGzipWriterFails(t *testing.T) {
	data := bytes.Repeat([]byte("x"), 8*gzipBlock)
	if err := compress(&failWriter{n: 2}, bytes.NewReader(data)); err != io.ErrClosedPipe {
		t.Fatalf("got %v, want %v", err, io.ErrClosedPipe)
	}
	var b bytes.Buffer
	if err := compress(&b, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
}

// A layer read into the compressor (ReadFrom, as a reassembled layer's
// files are) gives the blob written into it (Write) gives, whatever the
// reads' sizes: blocks end at the same bytes. The digest is the one
// pocket has always given these bytes, so a layer pushed before gives the
// same blob again.
func TestGzipReadFromSameBlob(t *testing.T) {
	rnd := rand.New(rand.NewSource(7))
	data := make([]byte, 5*gzipBlock+12345)
	for i := range data {
		if i%(3*gzipBlock) < gzipBlock {
			data[i] = "pocket layer "[i%13] // repeats: the fastest level
		} else {
			data[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[rnd.Intn(64)] // Huffman only
		}
	}
	var written bytes.Buffer
	if err := compress(&written, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	const want = "sha256:ea3cb1348d6a91cc84e1db738450828a5c6492e49a923e58507bc1540e886ae3"
	if got := sum(written.Bytes()).String(); got != want {
		t.Errorf("blob %s, want %s", got, want)
	}
	for name, r := range map[string]func() io.Reader{
		"whole":     func() io.Reader { return struct{ io.Reader }{bytes.NewReader(data)} },
		"half":      func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) },
		"data+EOF":  func() io.Reader { return iotest.DataErrReader(bytes.NewReader(data)) },
		"odd reads": func() io.Reader { return &oddReader{r: bytes.NewReader(data)} },
	} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			zw := newGzipWriter(&b)
			n, err := zw.ReadFrom(r())
			if err != nil || n != int64(len(data)) {
				t.Fatalf("ReadFrom: %d, %v; want %d", n, err, len(data))
			}
			if err := zw.Close(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b.Bytes(), written.Bytes()) {
				t.Errorf("ReadFrom gave a blob of %d bytes other than Write's %d", b.Len(), written.Len())
			}
		})
	}
}

// oddReader reads in sizes that never meet a block's end.
type oddReader struct {
	r io.Reader
	i int
}

func (o *oddReader) Read(p []byte) (int, error) {
	o.i++
	return o.r.Read(p[:min(len(p), 1+o.i*7919%100000)])
}
