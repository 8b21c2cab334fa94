package store

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/klauspost/compress/gzip"

	pfs "pocket/fs"
	"pocket/trace"
)

const (
	layerDiff  = "diff"
	layerMeta  = "tar-split.json.gz"
	layerSize  = "size"
	layerLockP = "layer-"
)

// HasLayer reports whether the layer with this diffID is unpacked.
func (s *Store) HasLayer(diffID v1.Hash) bool {
	if checkHash(diffID) != nil {
		return false
	}
	_, err := os.Stat(s.path("layers", diffID.Hex, layerSize))
	return err == nil
}

// LayerDir is the unpacked tree of a layer, usable as an overlay lowerdir.
func (s *Store) LayerDir(diffID v1.Hash) string {
	if checkHash(diffID) != nil {
		return ""
	}
	return s.path("layers", diffID.Hex, layerDiff)
}

// PutLayer unpacks a layer once. Under a per-layer file lock, if the layer is
// absent, fill is called with an empty directory to unpack into and a writer
// for tar-split metadata; fill returns the diffID it computed while reading the
// whole stream. The tree is renamed into place only when that matches diffID.
// A concurrent PutLayer of the same diffID waits and then finds it present.
func (s *Store) PutLayer(diffID v1.Hash, fill func(dir string, meta io.Writer) (v1.Hash, error)) error {
	if err := checkHash(diffID); err != nil {
		return fmt.Errorf("store layer: %w", err)
	}
	if s.HasLayer(diffID) {
		return nil
	}
	unlock, err := s.Lock(layerLockP + diffID.Hex)
	if err != nil {
		return fmt.Errorf("store layer %s: %w", diffID, err)
	}
	defer unlock()
	if s.HasLayer(diffID) {
		return nil
	}
	if err := s.putLayer(diffID, fill); err != nil {
		return fmt.Errorf("store layer %s: %w", diffID, err)
	}
	return nil
}

func (s *Store) putLayer(diffID v1.Hash, fill func(dir string, meta io.Writer) (v1.Hash, error)) error {
	t, err := s.newLayer(diffID, fill, pfs.Size)
	if err != nil {
		return err
	}
	defer t.release()
	if err := os.Rename(t.path, s.path("layers", diffID.Hex)); err != nil {
		return err
	}
	return syncDir(s.path("layers"))
}

// newLayer makes a complete layer directory under tmp/ for the caller to
// rename into place (and release): fill unpacks the tree into diff/,
// writes tar-split metadata and returns the diffID it hashed, which must
// be diffID; size measures the tree. Everything is synced and stamped as
// checked, and the size file comes last: HasLayer trusts its presence.
// PutLayer and CheckLayer's rebuild both unpack through it.
func (s *Store) newLayer(diffID v1.Hash, fill func(dir string, meta io.Writer) (v1.Hash, error), size func(diff string) (int64, error)) (*temp, error) {
	t, err := s.newTemp()
	if err != nil {
		return nil, err
	}
	if err := fillLayer(t.path, diffID, fill, size); err != nil {
		t.release()
		return nil, err
	}
	return t, nil
}

func fillLayer(dir string, diffID v1.Hash, fill func(dir string, meta io.Writer) (v1.Hash, error), size func(diff string) (int64, error)) error {
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	diff := dir + "/" + layerDiff
	if err := os.Mkdir(diff, 0o755); err != nil {
		return err
	}
	mf, err := os.OpenFile(dir+"/"+layerMeta, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer mf.Close()
	zw := gzip.NewWriter(mf)
	endFill := trace.Span("store layer: unpack+tar-split")
	got, err := fill(diff, zw)
	endFill()
	if err != nil {
		return err
	}
	defer trace.Span("store layer: fsync, size, stamp, rename")()
	if got != diffID {
		return fmt.Errorf("%w: content is %s", ErrDigestMismatch, got)
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := mf.Sync(); err != nil {
		return err
	}
	n, err := size(diff)
	if err != nil {
		return err
	}
	// Unpacked here and now, so intact as it is (see CheckLayer).
	if err := stamp(dir); err != nil {
		return err
	}
	if err := os.WriteFile(dir+"/"+layerSize, []byte(strconv.FormatInt(n, 10)+"\n"), 0o600); err != nil {
		return err
	}
	return syncDir(dir)
}

// LayerSize is the unpacked size of a stored layer, as history shows it.
func (s *Store) LayerSize(diffID v1.Hash) (int64, error) {
	if err := checkHash(diffID); err != nil {
		return 0, fmt.Errorf("layer size: %w", err)
	}
	n, err := s.layerBytes(diffID.Hex)
	if err != nil {
		return 0, fmt.Errorf("layer %s size: %w", diffID, ErrLayerUnknown)
	}
	return n, nil
}

// layerBytes is the recorded unpacked size of a layer.
func (s *Store) layerBytes(hexID string) (int64, error) {
	b, err := os.ReadFile(s.path("layers", hexID, layerSize))
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
}

// LayerTar rebuilds the layer's original uncompressed tar, byte for byte.
func (s *Store) LayerTar(diffID v1.Hash) (io.ReadCloser, error) {
	return s.layerTar(diffID, pfs.Reassemble)
}

// layerTar is LayerTar, reassembled by reassemble.
func (s *Store) layerTar(diffID v1.Hash, reassemble func(string, io.Reader) io.ReadCloser) (io.ReadCloser, error) {
	if err := checkHash(diffID); err != nil {
		return nil, fmt.Errorf("read layer: %w", err)
	}
	if !s.HasLayer(diffID) {
		return nil, fmt.Errorf("read layer %s: %w", diffID, fs.ErrNotExist)
	}
	mf, err := os.Open(s.path("layers", diffID.Hex, layerMeta))
	if err != nil {
		return nil, fmt.Errorf("read layer %s: %w", diffID, err)
	}
	zr, err := gzip.NewReader(mf)
	if err != nil {
		mf.Close()
		return nil, fmt.Errorf("read layer %s metadata: %w", diffID, err)
	}
	rc := reassemble(s.LayerDir(diffID), zr)
	return &layerTar{ReadCloser: rc, closers: []io.Closer{zr, mf}}, nil
}

type layerTar struct {
	io.ReadCloser
	closers []io.Closer
}

// WriteTo lets io.Copy hand the destination to the reassembled tar, which
// then writes into it directly (a push's compressor) instead of through a
// pipe.
func (l *layerTar) WriteTo(w io.Writer) (int64, error) {
	if wt, ok := l.ReadCloser.(io.WriterTo); ok {
		return wt.WriteTo(w)
	}
	return io.Copy(w, struct{ io.Reader }{l.ReadCloser})
}

func (l *layerTar) Close() error {
	err := l.ReadCloser.Close()
	for _, c := range l.closers {
		err = errors.Join(err, c.Close())
	}
	return err
}
