package pull

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/stream"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// streamedLayer is a stored layer compressed while it is uploaded: the
// blob goes from the compressor into the request body, and its digest and
// size are known once the upload has read it to the end. The registry
// needs the digest only to commit the upload (distribution spec, the PUT
// that ends it), and the manifest is written after every layer is up, so
// nothing waits for a temporary file: compressing into one first and then
// uploading it read and wrote every layer twice more and kept the
// compressor and the upload from overlapping.
//
// go-containerregistry's remote treats a layer whose Digest is
// stream.ErrNotComputed as streamed: no existence check, a POST, the body
// in one PATCH, then the PUT with the digest learned. Unlike
// stream.Layer, Compressed may be called again (a retried upload, a
// redirect): compression is deterministic, so every complete read gives
// the same blob.
type streamedLayer struct {
	open func() (io.ReadCloser, error) // the layer's uncompressed tar

	mu     sync.Mutex
	digest v1.Hash
	size   int64
	done   bool
}

func (l *streamedLayer) Digest() (v1.Hash, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.done {
		return v1.Hash{}, stream.ErrNotComputed
	}
	return l.digest, nil
}

func (l *streamedLayer) Size() (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.done {
		return 0, stream.ErrNotComputed
	}
	return l.size, nil
}

// descriptor is the uploaded blob's, once Compressed was read to the end.
func (l *streamedLayer) descriptor() (v1.Descriptor, error) {
	d, err := l.Digest()
	if err != nil {
		return v1.Descriptor{}, err
	}
	return v1.Descriptor{MediaType: types.DockerLayer, Size: l.size, Digest: d}, nil
}

func (l *streamedLayer) DiffID() (v1.Hash, error) {
	return v1.Hash{}, errors.New("diffID of a pushed blob: not needed")
}

func (l *streamedLayer) Uncompressed() (io.ReadCloser, error) { return l.open() }

func (l *streamedLayer) MediaType() (types.MediaType, error) { return types.DockerLayer, nil }

// Compressed is the layer's blob, compressed as it is read. The digest
// and size are set before the reader sees EOF, so they are there when the
// upload asks for them to commit it.
func (l *streamedLayer) Compressed() (io.ReadCloser, error) {
	rc, err := l.open()
	if err != nil {
		return nil, err
	}
	return &compressedBody{l: l, rc: rc}, nil
}

// compress writes the blob of the uncompressed tar rc to w and, when it
// is whole, sets the layer's digest and size.
func (l *streamedLayer) compress(w io.Writer, rc io.Reader) (int64, error) {
	h := &countingHash{Hash: sha256.New()}
	if err := compress(io.MultiWriter(w, h), rc); err != nil {
		return h.n, err
	}
	l.mu.Lock()
	l.digest = v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}
	l.size, l.done = h.n, true
	l.mu.Unlock()
	return h.n, nil
}

// compressedBody is a request body that compresses a layer. net/http
// copies a body with its WriteTo, which compresses straight into the
// connection's writer; Read, for any other reader, compresses in a
// goroutine through a pipe. The uncompressed tar is closed by whichever
// of them ran, once it is done: Close may come from another goroutine
// while WriteTo still runs (a failed request), and only ends a pipe.
type compressedBody struct {
	l  *streamedLayer
	rc io.ReadCloser

	mu    sync.Mutex
	state int // bodyIdle, bodyWriting, bodyPiping or bodyClosed
	pr    *io.PipeReader
}

const (
	bodyIdle = iota
	bodyWriting
	bodyPiping
	bodyClosed
)

var errBodyInUse = errors.New("compressed layer body: read twice at once")

func (b *compressedBody) WriteTo(w io.Writer) (int64, error) {
	b.mu.Lock()
	if b.state != bodyIdle {
		b.mu.Unlock()
		return 0, errBodyInUse
	}
	b.state = bodyWriting
	b.mu.Unlock()
	defer b.rc.Close()
	return b.l.compress(w, b.rc)
}

func (b *compressedBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	switch b.state {
	case bodyIdle:
		pr, pw := io.Pipe()
		b.pr, b.state = pr, bodyPiping
		go func() {
			defer b.rc.Close()
			_, err := b.l.compress(pw, b.rc)
			// A reader that stopped early closed the pipe, which ended
			// the compression with that error.
			pw.CloseWithError(err)
		}()
	case bodyWriting, bodyClosed:
		b.mu.Unlock()
		return 0, errBodyInUse
	}
	pr := b.pr
	b.mu.Unlock()
	return pr.Read(p)
}

func (b *compressedBody) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case bodyIdle:
		b.state = bodyClosed
		return b.rc.Close()
	case bodyPiping:
		return b.pr.Close()
	}
	return nil
}

// countingHash hashes and counts what is written to it.
type countingHash struct {
	hash.Hash
	n int64
}

func (c *countingHash) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.Hash.Write(p)
}
