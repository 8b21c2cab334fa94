package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// gc deletes layers no image lists and blobs no image points at, returning
// the bytes freed. The caller holds the gc lock exclusively, so no pull or
// container creation is between putting a layer and recording its image.
func (s *Store) gc() (int64, error) {
	unlock, err := s.Lock("images")
	if err != nil {
		return 0, err
	}
	defer unlock()
	ix, err := s.readIndex()
	if err != nil {
		return 0, err
	}
	layers := map[string]bool{}
	blobs := map[string]bool{}
	for _, img := range ix.Images {
		blobs[img.ID.Hex] = true
		blobs[img.Manifest.Hex] = true
		for _, l := range img.Layers {
			layers[l.Hex] = true
		}
	}
	if err := s.cacheRefs(layers, blobs); err != nil {
		return 0, fmt.Errorf("collect build cache: %w", err)
	}
	var freed int64
	var errs []error
	entries, err := os.ReadDir(s.path("layers"))
	if err != nil {
		return 0, fmt.Errorf("collect layers: %w", err)
	}
	for _, e := range entries {
		if layers[e.Name()] {
			continue
		}
		n, _ := s.layerBytes(e.Name())
		if err := s.removeTree(s.path("layers", e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove layer %s: %w", e.Name(), err))
			continue
		}
		freed += n
	}
	entries, err = os.ReadDir(s.path("blobs", "sha256"))
	if err != nil {
		return freed, fmt.Errorf("collect blobs: %w", err)
	}
	for _, e := range entries {
		if blobs[e.Name()] {
			continue
		}
		info, err := e.Info()
		if err == nil {
			freed += info.Size()
		}
		if err := os.Remove(s.path("blobs", "sha256", e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove blob %s: %w", e.Name(), err))
		}
	}
	return freed, errors.Join(errs...)
}
