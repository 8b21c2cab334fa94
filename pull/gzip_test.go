package pull

import (
	"bytes"
	"compress/gzip"
	"io"
	"math/rand"
	"testing"
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
