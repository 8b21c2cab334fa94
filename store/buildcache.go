package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// CacheEntry is the result of one cached build step: an image that is
// not in the index (its config and manifest blobs and its layers), kept
// alive by the entry until the build cache is pruned.
type CacheEntry struct {
	Config   v1.Hash   `json:"config"`
	Manifest v1.Hash   `json:"manifest"`
	Layers   []v1.Hash `json:"layers"` // diffIDs, base first
	Created  time.Time `json:"created"`
}

// cacheKey is a hex sha256: the file name of an entry, so that a lookup
// is one open however many steps are cached.
var cacheKey = hexRange{64, 64}

func (s *Store) cachePath(key string) string { return s.path("buildcache", key) }

// PutCache records a step's result under key. The caller holds the store
// (Hold) and has stored the blobs and layers first: the entry is written
// to a temporary file and renamed into place, so a build killed at any
// point leaves either no entry or a complete one.
func (s *Store) PutCache(key string, e CacheEntry) error {
	if !cacheKey.MatchString(key) {
		return fmt.Errorf("store cache entry %q: invalid key", key)
	}
	if err := os.MkdirAll(s.path("buildcache"), 0o700); err != nil {
		return err
	}
	return s.writeJSON(s.cachePath(key), e)
}

// Cache returns the entry recorded under key, or nil when there is none
// or when what it names is gone from the store.
func (s *Store) Cache(key string) *CacheEntry {
	if !cacheKey.MatchString(key) {
		return nil
	}
	data, err := os.ReadFile(s.cachePath(key))
	if err != nil {
		return nil
	}
	var e CacheEntry
	if json.Unmarshal(data, &e) != nil || checkHash(e.Config) != nil {
		return nil
	}
	if _, err := os.Stat(s.blobPath(e.Config)); err != nil {
		return nil
	}
	for _, l := range e.Layers {
		if !s.HasLayer(l) {
			return nil
		}
	}
	return &e
}

// cacheRefs adds what the build cache keeps alive to the sets gc keeps.
func (s *Store) cacheRefs(layers, blobs map[string]bool) error {
	entries, err := os.ReadDir(s.path("buildcache"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	for _, de := range entries {
		data, err := os.ReadFile(s.cachePath(de.Name()))
		if err != nil {
			continue
		}
		var e CacheEntry
		if json.Unmarshal(data, &e) != nil {
			continue
		}
		blobs[e.Config.Hex] = true
		blobs[e.Manifest.Hex] = true
		for _, l := range e.Layers {
			layers[l.Hex] = true
		}
	}
	return nil
}

// PruneCache removes build cache entries created before until (all when
// until is zero), then the layers and blobs nothing keeps; it returns the
// number of entries removed and the bytes freed.
func (s *Store) PruneCache(until time.Time) (int, int64, error) {
	unlockGC, err := s.exclusiveGC()
	if err != nil {
		return 0, 0, err
	}
	defer unlockGC()
	entries, err := os.ReadDir(s.path("buildcache"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return 0, 0, err
	}
	n := 0
	for _, de := range entries {
		p := s.cachePath(de.Name())
		if !until.IsZero() {
			data, err := os.ReadFile(p)
			var e CacheEntry
			if err == nil && json.Unmarshal(data, &e) == nil && !e.Created.Before(until) {
				continue
			}
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, 0, fmt.Errorf("prune build cache: %w", err)
		}
		n++
	}
	freed, err := s.gc()
	return n, freed, err
}

// CacheRecord is one build cache entry and its key.
type CacheRecord struct {
	Key string
	CacheEntry
}

// CacheRecords lists the build cache's entries, unordered; an entry that
// cannot be read is left out, as Cache would not use it.
func (s *Store) CacheRecords() ([]CacheRecord, error) {
	entries, err := os.ReadDir(s.path("buildcache"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var out []CacheRecord
	for _, de := range entries {
		if !cacheKey.MatchString(de.Name()) {
			continue
		}
		data, err := os.ReadFile(s.cachePath(de.Name()))
		if err != nil {
			continue
		}
		r := CacheRecord{Key: de.Name()}
		if json.Unmarshal(data, &r.CacheEntry) != nil {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}
