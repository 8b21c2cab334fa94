package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Image is one entry of the image index.
type Image struct {
	ID       v1.Hash   `json:"id"`       // config digest, Docker's image ID
	Manifest v1.Hash   `json:"manifest"` // digest of the stored manifest
	Names    []string  `json:"names"`    // canonical repo:tag, e.g. docker.io/library/alpine:3.20
	Digests  []string  `json:"digests"`  // canonical repo@sha256:... as pulled
	Layers   []v1.Hash `json:"layers"`   // diffIDs, base first
	Created  time.Time `json:"created"`  // from the config
	Size     int64     `json:"size"`     // unpacked bytes of all layers
	Added    time.Time `json:"added"`    // when it entered the store
	// LastUsed is when a container was last made from it (to the
	// minute), for the least-recently-used eviction of system prune
	// --until and --max-size; zero means never, and Added stands in.
	LastUsed time.Time `json:"lastUsed,omitzero"`
	// Sources are repositories known to hold every blob of Manifest (the
	// registry's compressed layers, which the store does not keep): where
	// it was pulled from and where it was pushed to, as SourceRepo spells
	// them. push mounts or re-fetches the original blobs from them, so an
	// image travels with its manifest digest unchanged.
	Sources []string `json:"sources,omitempty"`
}

// index is images.json. It is read and rewritten whole under locks/images.
type index struct {
	Images []*Image `json:"images"`
}

func (s *Store) indexPath() string { return s.path("images.json") }

// readIndex reads images.json; it needs no lock since the file is only ever
// replaced by rename.
func (s *Store) readIndex() (*index, error) {
	data, err := os.ReadFile(s.indexPath())
	if errors.Is(err, fs.ErrNotExist) {
		return &index{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read image index: %w", err)
	}
	var ix index
	if err := json.Unmarshal(data, &ix); err != nil {
		return nil, fmt.Errorf("read image index %s: %w", s.indexPath(), err)
	}
	return &ix, nil
}

func (s *Store) writeIndex(ix *index) error {
	if err := s.writeJSON(s.indexPath(), ix); err != nil {
		return fmt.Errorf("write image index: %w", err)
	}
	return nil
}

// updateIndex runs fn on the index under locks/images and saves the result
// unless fn fails.
func (s *Store) updateIndex(fn func(ix *index) error) error {
	unlock, err := s.Lock("images")
	if err != nil {
		return err
	}
	defer unlock()
	ix, err := s.readIndex()
	if err != nil {
		return err
	}
	if err := fn(ix); errors.Is(err, errUnchanged) {
		return nil
	} else if err != nil {
		return err
	}
	return s.writeIndex(ix)
}

// errUnchanged, from an updateIndex function, means there is nothing to
// write: the index is left as it is, without the cost of a synced write.
var errUnchanged = errors.New("index unchanged")

func (ix *index) byID(id v1.Hash) *Image {
	for _, img := range ix.Images {
		if img.ID == id {
			return img
		}
	}
	return nil
}

func (ix *index) remove(id v1.Hash) {
	ix.Images = slices.DeleteFunc(ix.Images, func(img *Image) bool { return img.ID == id })
}

// untag takes the canonical name n off every image.
func (ix *index) untag(n string) {
	for _, img := range ix.Images {
		img.Names = slices.DeleteFunc(img.Names, func(x string) bool { return x == n })
		img.Digests = slices.DeleteFunc(img.Digests, func(x string) bool { return x == n })
	}
}

// Images lists the index, newest first.
func (s *Store) Images() ([]Image, error) {
	ix, err := s.readIndex()
	if err != nil {
		return nil, err
	}
	out := make([]Image, 0, len(ix.Images))
	for _, img := range ix.Images {
		out = append(out, *img)
	}
	slices.SortStableFunc(out, func(a, b Image) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return b.Added.Compare(a.Added)
	})
	return out, nil
}

// imageJSON spells a missing manifest (an image loaded from a tarball that
// had none) as an absent field; v1.Hash cannot round-trip its zero value.
type imageAlias Image

type imageJSON struct {
	*imageAlias
	Manifest string `json:"manifest,omitempty"`
}

// MarshalJSON writes the image as images.json keeps it.
func (img Image) MarshalJSON() ([]byte, error) {
	j := imageJSON{imageAlias: (*imageAlias)(&img)}
	if img.Manifest != (v1.Hash{}) {
		j.Manifest = img.Manifest.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads the image as images.json keeps it.
func (img *Image) UnmarshalJSON(data []byte) error {
	j := imageJSON{imageAlias: (*imageAlias)(img)}
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	img.Manifest = v1.Hash{}
	if j.Manifest != "" {
		h, err := v1.NewHash(j.Manifest)
		if err != nil {
			return err
		}
		img.Manifest = h
	}
	return nil
}
