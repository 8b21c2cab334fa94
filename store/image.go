package store

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"pocket/reference"
)

// AddImage records an image whose layers are all present. The manifest and
// config are stored as blobs. Each of refs that is a name.Tag moves to this
// image from any other; each name.Digest (a pull's repository digest) is
// added to its Digests; nil refs are skipped.
func (s *Store) AddImage(manifest, config []byte, refs ...name.Reference) (*Image, error) {
	cfg, err := v1.ParseConfigFile(bytes.NewReader(config))
	if err != nil {
		return nil, fmt.Errorf("add image: parse config: %w", err)
	}
	id := hashOf(config)
	if cfg.RootFS.Type != "" && cfg.RootFS.Type != "layers" {
		return nil, fmt.Errorf("add image %s: unsupported rootfs type %q", id, cfg.RootFS.Type)
	}
	var names, digests []string
	for _, r := range refs {
		switch r.(type) {
		case nil:
		case name.Digest:
			digests = append(digests, reference.Canonical(r))
		default:
			names = append(names, reference.Canonical(r))
		}
	}

	// Our own Hold keeps GC from deleting the layers between the check
	// below and the index write, whatever the caller holds.
	release, err := s.Hold()
	if err != nil {
		return nil, err
	}
	defer release()
	var size int64
	for _, l := range cfg.RootFS.DiffIDs {
		if err := checkHash(l); err != nil {
			return nil, fmt.Errorf("add image %s: layer: %w", id, err)
		}
		n, err := s.layerBytes(l.Hex)
		if err != nil {
			return nil, fmt.Errorf("add image %s: layer %s: %w", id, l, ErrLayerUnknown)
		}
		size += n
	}
	var mdigest v1.Hash
	if len(manifest) > 0 {
		if mdigest, err = s.PutBlob(manifest); err != nil {
			return nil, fmt.Errorf("add image %s: %w", id, err)
		}
	}
	if _, err := s.PutBlob(config); err != nil {
		return nil, fmt.Errorf("add image %s: %w", id, err)
	}

	var out Image
	err = s.updateIndex(func(ix *index) error {
		img := ix.byID(id)
		if img == nil {
			img = &Image{ID: id, Added: time.Now().UTC(), Names: []string{}, Digests: []string{}}
			ix.Images = append(ix.Images, img)
		}
		if mdigest != (v1.Hash{}) && mdigest != img.Manifest {
			// Sources vouch for the blobs of one manifest only.
			img.Manifest = mdigest
			img.Sources = nil
		}
		img.Layers = slices.Clone(cfg.RootFS.DiffIDs)
		img.Created = cfg.Created.Time.UTC()
		img.Size = size
		for _, n := range names {
			if !slices.Contains(img.Names, n) {
				ix.untag(n)
				img.Names = append(img.Names, n)
			}
		}
		for _, d := range digests {
			if !slices.Contains(img.Digests, d) {
				img.Digests = append(img.Digests, d)
			}
		}
		out = *img
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("add image %s: %w", id, err)
	}
	return &out, nil
}

// Tag points dst (a repo:tag) at the image src names (an IMAGE argument,
// see FindImage).
func (s *Store) Tag(src string, dst name.Reference) error {
	if _, ok := dst.(name.Digest); ok {
		return fmt.Errorf("tag %s: %w: refusing to create a tag with a digest reference", reference.Familiar(dst), reference.ErrBadReference)
	}
	n := reference.Canonical(dst)
	return s.updateIndex(func(ix *index) error {
		img, _, err := ix.lookup(src)
		if err != nil {
			return err
		}
		if slices.Contains(img.Names, n) {
			return nil
		}
		ix.untag(n)
		img.Names = append(img.Names, n)
		return nil
	})
}

// Config reads and parses an image's config.
func (s *Store) Config(img *Image) (*v1.ConfigFile, error) {
	data, err := s.Blob(img.ID)
	if err != nil {
		return nil, fmt.Errorf("image %s config: %w", img.ID, err)
	}
	cfg, err := v1.ParseConfigFile(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("image %s config: %w", img.ID, err)
	}
	return cfg, nil
}

// V1Image is the stored image as a go-containerregistry image (for save).
// Its layers are the uncompressed tars rebuilt by LayerTar; its manifest is
// generated from them, since the registry's compressed blobs are not kept.
func (s *Store) V1Image(img *Image) (v1.Image, error) {
	config, err := s.Blob(img.ID)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", img.ID, err)
	}
	for _, l := range img.Layers {
		if !s.HasLayer(l) {
			return nil, fmt.Errorf("image %s: layer %s: %w", img.ID, l, fs.ErrNotExist)
		}
	}
	return partial.UncompressedToImage(&storedImage{s: s, config: config})
}

type storedImage struct {
	s      *Store
	config []byte
}

func (i *storedImage) RawConfigFile() ([]byte, error) { return i.config, nil }
func (i *storedImage) MediaType() (types.MediaType, error) {
	return types.DockerManifestSchema2, nil
}
func (i *storedImage) LayerByDiffID(h v1.Hash) (partial.UncompressedLayer, error) {
	if !i.s.HasLayer(h) {
		return nil, fmt.Errorf("layer %s: %w", h, fs.ErrNotExist)
	}
	return &storedLayer{s: i.s, diffID: h}, nil
}

type storedLayer struct {
	s      *Store
	diffID v1.Hash
}

func (l *storedLayer) DiffID() (v1.Hash, error)             { return l.diffID, nil }
func (l *storedLayer) Uncompressed() (io.ReadCloser, error) { return l.s.LayerTar(l.diffID) }
func (l *storedLayer) MediaType() (types.MediaType, error)  { return types.DockerLayer, nil }
