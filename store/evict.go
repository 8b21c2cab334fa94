package store

import (
	"slices"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// touchEvery bounds how often using an image rewrites images.json: a CI
// job starting many containers a minute rewrites it once.
const touchEvery = time.Minute

// lastUse is when img was last used, or added when never.
func (img *Image) lastUse() time.Time {
	if img.LastUsed.After(img.Added) {
		return img.LastUsed
	}
	return img.Added
}

// TouchImage records that a container is being made from the image now.
func (s *Store) TouchImage(id v1.Hash) error {
	if img, err := s.ImageByID(id); err != nil || time.Since(img.LastUsed) < touchEvery {
		return err
	}
	return s.updateIndex(func(ix *index) error {
		if img := ix.byID(id); img != nil {
			img.LastUsed = time.Now().UTC().Truncate(time.Second)
		}
		return nil
	})
}

// EvictOptions bound the store for system prune.
type EvictOptions struct {
	Until   time.Time // evict images last used before this (zero: none by age)
	MaxSize int64     // then evict the least recently used until the images' layers take at most this (0: no bound)
}

// EvictImages removes images no container uses, least recently used first:
// every one last used before o.Until, then more until the layers of the
// images left take at most o.MaxSize bytes. Tagged or not, an image goes:
// it can be pulled again. It returns the IDs removed and the bytes freed.
func (s *Store) EvictImages(o EvictOptions) (deleted []string, reclaimed int64, err error) {
	unlockGC, err := s.exclusiveGC()
	if err != nil {
		return nil, 0, err
	}
	defer unlockGC()
	containers, err := s.Containers()
	if err != nil {
		return nil, 0, err
	}
	used := map[v1.Hash]bool{}
	for _, c := range containers {
		used[c.Image] = true
	}
	err = s.updateIndex(func(ix *index) error {
		lru := slices.Clone(ix.Images)
		slices.SortStableFunc(lru, func(a, b *Image) int { return a.lastUse().Compare(b.lastUse()) })
		size := s.imagesSize(ix.Images)
		for _, img := range lru {
			old := !o.Until.IsZero() && img.lastUse().Before(o.Until)
			big := o.MaxSize > 0 && size > o.MaxSize
			if used[img.ID] || (!old && !big) {
				continue
			}
			ix.remove(img.ID)
			deleted = append(deleted, img.ID.String())
			size = s.imagesSize(ix.Images)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	reclaimed, err = s.gc()
	return deleted, reclaimed, err
}

// imagesSize is the unpacked size of the layers images use, each once.
func (s *Store) imagesSize(images []*Image) int64 {
	seen := map[v1.Hash]bool{}
	var n int64
	for _, img := range images {
		for _, l := range img.Layers {
			if seen[l] {
				continue
			}
			seen[l] = true
			if b, err := s.layerBytes(l.Hex); err == nil {
				n += b
			}
		}
	}
	return n
}
