package pull

import (
	"encoding/json"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"pocket/store"
)

// tarImage presents a stored image with its layers as plain tars (digest =
// diffID), so the archive holds "<diffID>.tar" files as `docker save`
// writes them. (store.V1Image serves layers as uncompressed ones that
// go-containerregistry gzips to compute digests and sizes: three
// compressions a layer.)
func tarImage(s *store.Store, img *store.Image) (v1.Image, error) {
	cfg, err := s.Blob(img.ID)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", img.ID, err)
	}
	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.DockerManifestSchema2,
		Config:        v1.Descriptor{MediaType: types.DockerConfigJSON, Size: int64(len(cfg)), Digest: img.ID},
	}
	ti := &tarImageCore{s: s, config: cfg, layers: map[v1.Hash]*tarLayer{}}
	for _, d := range img.Layers {
		l := &tarLayer{s: s, diffID: d}
		size, err := l.measure()
		if err != nil {
			return nil, err
		}
		ti.layers[d] = l
		m.Layers = append(m.Layers, v1.Descriptor{MediaType: types.DockerUncompressedLayer, Size: size, Digest: d})
	}
	if ti.manifest, err = json.Marshal(m); err != nil {
		return nil, err
	}
	return partial.CompressedToImage(ti)
}

type tarImageCore struct {
	s        *store.Store
	config   []byte
	manifest []byte
	layers   map[v1.Hash]*tarLayer
}

func (i *tarImageCore) RawConfigFile() ([]byte, error) { return i.config, nil }
func (i *tarImageCore) RawManifest() ([]byte, error)   { return i.manifest, nil }
func (i *tarImageCore) MediaType() (types.MediaType, error) {
	return types.DockerManifestSchema2, nil
}

func (i *tarImageCore) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	if l, ok := i.layers[h]; ok {
		return l, nil
	}
	return nil, fmt.Errorf("layer %s: not in image", h)
}

// tarLayer is a stored layer as its original tar.
type tarLayer struct {
	s      *store.Store
	diffID v1.Hash
	size   int64
}

// measure reassembles the tar once to learn its length, which the
// archive's tar header needs before the bytes.
func (l *tarLayer) measure() (int64, error) {
	rc, err := l.s.LayerTar(l.diffID)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	n, err := io.Copy(io.Discard, rc)
	if err != nil {
		return 0, fmt.Errorf("read layer %s: %w", l.diffID, err)
	}
	l.size = n
	return n, nil
}

func (l *tarLayer) Digest() (v1.Hash, error)            { return l.diffID, nil }
func (l *tarLayer) Compressed() (io.ReadCloser, error)  { return l.s.LayerTar(l.diffID) }
func (l *tarLayer) Size() (int64, error)                { return l.size, nil }
func (l *tarLayer) MediaType() (types.MediaType, error) { return types.DockerUncompressedLayer, nil }
