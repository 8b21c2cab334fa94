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

// Compressed starts compressing the layer into a pipe. The digest and size
// are set before the reader sees EOF, so they are there when the upload
// asks for them to commit it.
func (l *streamedLayer) Compressed() (io.ReadCloser, error) {
	rc, err := l.open()
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	go func() {
		defer rc.Close()
		h := &countingHash{Hash: sha256.New()}
		err := compress(io.MultiWriter(pw, h), rc)
		if err == nil {
			l.mu.Lock()
			l.digest = v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}
			l.size, l.done = h.n, true
			l.mu.Unlock()
		}
		// A reader that stopped early (a failed request) closed the pipe,
		// which ends the compression with that error here.
		pw.CloseWithError(err)
	}()
	return pr, nil
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
