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
	ahead  *handoff // a compression begun by start, until a body takes it
}

// start begins compressing the layer before the upload asks for its body:
// the registry answers the upload's first request (a POST, tens of
// milliseconds on a busy registry) while the layer is read and its first
// blocks compressed, and the blocks wait in flight (at most the writer's
// maxAhead) until the body is read. The first Compressed takes them; a
// later one (a retry) compresses again. abandon ends a start no body took.
func (l *streamedLayer) start() {
	rc, err := l.open()
	if err != nil {
		return // Compressed opens it again and reports the error
	}
	h := &handoff{ready: make(chan struct{}), end: make(chan struct{})}
	l.mu.Lock()
	l.ahead = h
	l.mu.Unlock()
	go func() {
		defer close(h.end)
		defer rc.Close()
		h.n, h.err = l.compress(h, rc)
	}()
}

// abandon ends a compression begun by start that no body took.
func (l *streamedLayer) abandon() {
	l.mu.Lock()
	h := l.ahead
	l.ahead = nil
	l.mu.Unlock()
	if h != nil {
		h.attach(nil)
		<-h.end
	}
}

// handoff is the writer a compression started ahead writes into: its
// writes wait until a destination is attached (the request body's) and
// then go straight to it, with no buffer between.
type handoff struct {
	ready chan struct{} // closed once w is set
	w     io.Writer     // nil: abandoned
	end   chan struct{} // closed when the compression is over
	n     int64
	err   error
}

var errAbandoned = errors.New("compressed layer: upload abandoned")

func (h *handoff) attach(w io.Writer) {
	h.w = w
	close(h.ready)
}

func (h *handoff) Write(p []byte) (int, error) {
	<-h.ready
	if h.w == nil {
		return 0, errAbandoned
	}
	return h.w.Write(p)
}

// writeTo hands the compression w and waits for it to end.
func (h *handoff) writeTo(w io.Writer) (int64, error) {
	h.attach(w)
	<-h.end
	return h.n, h.err
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
	return v1.Hash{}, errNoDiffID
}

func (l *streamedLayer) Uncompressed() (io.ReadCloser, error) { return l.open() }

func (l *streamedLayer) MediaType() (types.MediaType, error) { return types.DockerLayer, nil }

// Compressed is the layer's blob, compressed as it is read. The digest
// and size are set before the reader sees EOF, so they are there when the
// upload asks for them to commit it.
func (l *streamedLayer) Compressed() (io.ReadCloser, error) {
	l.mu.Lock()
	h := l.ahead
	l.ahead = nil
	l.mu.Unlock()
	if h != nil {
		return &compressedBody{l: l, ahead: h}, nil
	}
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
	l     *streamedLayer
	rc    io.ReadCloser
	ahead *handoff // instead of rc: a compression already started

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
	if b.ahead != nil {
		return b.ahead.writeTo(w)
	}
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
			var err error
			if b.ahead != nil {
				_, err = b.ahead.writeTo(pw)
			} else {
				defer b.rc.Close()
				_, err = b.l.compress(pw, b.rc)
			}
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
		if b.ahead != nil {
			b.ahead.attach(nil)
			<-b.ahead.end
			return nil
		}
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
