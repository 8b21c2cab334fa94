package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/klauspost/compress/gzip"

	pfs "pocket/fs"
	"pocket/trace"
)

// CacheEntry is the result of one cached build step: an image that is
// not in the index (its config and manifest blobs and its layers), kept
// alive by the entry until the build cache is pruned.
type CacheEntry struct {
	Config   v1.Hash   `json:"config"`
	Manifest v1.Hash   `json:"manifest,omitzero"` // none for a build's uncompressed layers (see CommitLayer)
	Layers   []v1.Hash `json:"layers"`            // diffIDs, base first
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
	if until.IsZero() {
		// SetStepLayer's hints go with the entries.
		if err := os.RemoveAll(s.path("buildcache-steps")); err != nil {
			return n, 0, fmt.Errorf("prune build cache: %w", err)
		}
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

// CommitLayer stores a layer whose diffID is known only once it is
// written, as a build step's is: fill is given the path of a directory
// to create (nothing exists there yet) and a writer for tar-split
// metadata, and returns the diffID of the tar it recorded. The tree is
// renamed into place under the layer's lock, or dropped when the store
// has that layer already. A build step thus writes its files once,
// where the layer keeps them, instead of into a tar that is unpacked
// again; as in PutLayer, the size file written last makes the layer
// visible, so a crash at any point leaves no half layer.
func (s *Store) CommitLayer(fill func(dir string, meta io.Writer) (v1.Hash, error)) (v1.Hash, error) {
	t, err := s.newTemp()
	if err != nil {
		return v1.Hash{}, err
	}
	defer t.release()
	if err := os.Mkdir(t.path, 0o755); err != nil {
		return v1.Hash{}, err
	}
	diff := t.path + "/" + layerDiff
	mf, err := os.OpenFile(t.path+"/"+layerMeta, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return v1.Hash{}, err
	}
	defer mf.Close()
	// The fastest level: a step's metadata is a few hundred kB of JSON
	// per thousand files, which the default level took tens of
	// milliseconds to squeeze a little more.
	zw, err := gzip.NewWriterLevel(mf, gzip.BestSpeed)
	if err != nil {
		return v1.Hash{}, err
	}
	sm := &sizedMeta{Writer: zw, size: -1}
	diffID, err := fill(diff, sm)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("store layer: %w", err)
	}
	if err := checkHash(diffID); err != nil {
		return v1.Hash{}, fmt.Errorf("store layer: %w", err)
	}
	defer trace.Span("store layer: fsync, size, stamp, rename")()
	if s.HasLayer(diffID) {
		return diffID, nil
	}
	unlock, err := s.Lock(layerLockP + diffID.Hex)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("store layer %s: %w", diffID, err)
	}
	defer unlock()
	if s.HasLayer(diffID) {
		return diffID, nil
	}
	if err := zw.Close(); err != nil {
		return v1.Hash{}, err
	}
	if err := mf.Sync(); err != nil {
		return v1.Hash{}, err
	}
	size := sm.size
	if size < 0 {
		if size, err = pfs.Size(diff); err != nil {
			return v1.Hash{}, err
		}
	}
	if err := stamp(t.path); err != nil {
		return v1.Hash{}, err
	}
	if err := os.WriteFile(t.path+"/"+layerSize, []byte(strconv.FormatInt(size, 10)+"\n"), 0o600); err != nil {
		return v1.Hash{}, err
	}
	if err := syncDir(t.path); err != nil {
		return v1.Hash{}, err
	}
	if err := os.Rename(t.path, s.path("layers", diffID.Hex)); err != nil {
		return v1.Hash{}, fmt.Errorf("store layer %s: %w", diffID, err)
	}
	return diffID, syncDir(s.path("layers"))
}

// sizedMeta is the metadata writer CommitLayer hands its fill: fs's
// Unpack and AdoptUpper tell it the tree's size (fs.SizeRecorder), so a
// step's layer of thousands of files is not walked again to count its
// bytes.
type sizedMeta struct {
	io.Writer
	size int64 // -1: not told
}

func (m *sizedMeta) RecordSize(n int64) { m.size = n }

// stepLayerPath is where SetStepLayer keeps its record for key.
func (s *Store) stepLayerPath(key string) string { return s.path("buildcache-steps", key) }

// SetStepLayer records diffID as the layer the build step key (a step's
// place in a Dockerfile, not its inputs) wrote last, for the next build
// to link unchanged files from (fs.Options.Reuse). The record is a hint:
// it keeps no layer from gc, is not synced, and a lost or torn one only
// means files are written again.
func (s *Store) SetStepLayer(key string, diffID v1.Hash) error {
	if !cacheKey.MatchString(key) || checkHash(diffID) != nil {
		return fmt.Errorf("store step record %q: invalid key or layer", key)
	}
	dir := s.path("buildcache-steps")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tmp-")
	if err != nil {
		return err
	}
	_, err = f.WriteString(diffID.Hex)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), s.stepLayerPath(key))
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// StepLayer is the layer SetStepLayer recorded for key, if it is still in
// the store.
func (s *Store) StepLayer(key string) (v1.Hash, bool) {
	if !cacheKey.MatchString(key) {
		return v1.Hash{}, false
	}
	data, err := os.ReadFile(s.stepLayerPath(key))
	if err != nil {
		return v1.Hash{}, false
	}
	h := v1.Hash{Algorithm: "sha256", Hex: string(data)}
	if checkHash(h) != nil || !s.HasLayer(h) {
		return v1.Hash{}, false
	}
	return h, true
}
