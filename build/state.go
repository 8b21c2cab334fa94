package build

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"pocket/store"
	"pocket/trace"
)

// state is a stage's image after a step: its configuration and layers.
type state struct {
	cfg    *v1.ConfigFile
	layers []v1.Descriptor // compressed descriptors, for the manifest; nil entries' digests unknown
	known  bool            // every layer's descriptor is known: a manifest can be written
	key    string          // cache key of the step that made it
	id     v1.Hash         // config digest: the image ID
}

func (st *state) diffIDs() []v1.Hash { return st.cfg.RootFS.DiffIDs }

// image is st as a store image that is not in the index, for RunStep.
func (st *state) image() *store.Image {
	return &store.Image{ID: st.id, Layers: st.diffIDs()}
}

// next is a copy of st to change.
func (st *state) next() *state {
	return &state{cfg: st.cfg.DeepCopy(), layers: append([]v1.Descriptor(nil), st.layers...), known: st.known}
}

// commit adds a history entry (and a layer unless l is nil), writes the
// config and manifest blobs and records the result under key.
func (b *builder) commit(st *state, createdBy string, l *v1.Descriptor, diffID v1.Hash) error {
	now := time.Now().UTC()
	if b.o.Epoch != nil {
		now = b.o.Epoch.UTC()
	}
	st.cfg.Created = v1.Time{Time: now}
	h := v1.History{Created: v1.Time{Time: now}, CreatedBy: createdBy}
	if l == nil {
		h.EmptyLayer = true
	} else {
		st.cfg.RootFS.DiffIDs = append(st.cfg.RootFS.DiffIDs, diffID)
		st.layers = append(st.layers, *l)
		// A layer stored uncompressed has no blob digest yet: the image
		// gets its manifest when it is pushed, as Docker's builds do.
		if l.Digest.Hex == "" {
			st.known = false
		}
	}
	st.cfg.History = append(st.cfg.History, h)
	return b.save(st)
}

// save writes st's blobs and its cache entry.
func (b *builder) save(st *state) error {
	defer trace.Span("build: write config, manifest, cache entry")()
	raw, err := json.Marshal(st.cfg)
	if err != nil {
		return err
	}
	if st.id, err = b.s.PutBlob(raw); err != nil {
		return err
	}
	e := store.CacheEntry{Config: st.id, Layers: st.diffIDs(), Created: time.Now().UTC()}
	if man := manifest(raw, st); man != nil {
		if e.Manifest, err = b.s.PutBlob(man); err != nil {
			return err
		}
	}
	if st.key == "" {
		return nil
	}
	return b.s.PutCache(st.key, e)
}

// fromCache loads the state a cache entry recorded.
func (b *builder) fromCache(e *store.CacheEntry, key string) (*state, error) {
	raw, err := b.s.Blob(e.Config)
	if err != nil {
		return nil, err
	}
	cfg, err := v1.ParseConfigFile(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	st := &state{cfg: cfg, key: key, id: e.Config}
	if e.Manifest.Hex != "" {
		if mraw, err := b.s.Blob(e.Manifest); err == nil {
			if m, err := v1.ParseManifest(bytes.NewReader(mraw)); err == nil && len(m.Layers) == len(cfg.RootFS.DiffIDs) {
				st.layers, st.known = m.Layers, true
			}
		}
	}
	return st, nil
}

// manifest is st's Docker manifest, or nil when a base layer's
// compressed descriptor is not known.
func manifest(config []byte, st *state) []byte {
	if !st.known {
		return nil
	}
	sum := sha256.Sum256(config)
	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.DockerManifestSchema2,
		Config: v1.Descriptor{
			MediaType: types.DockerConfigJSON, Size: int64(len(config)),
			Digest: v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])},
		},
		Layers: st.layers,
	}
	if m.Layers == nil {
		m.Layers = []v1.Descriptor{}
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil
	}
	return raw
}

// stateOf is a stored image as a build state.
func stateOf(s *store.Store, img *store.Image) (*state, error) {
	cfg, err := s.Config(img)
	if err != nil {
		return nil, err
	}
	if len(cfg.RootFS.DiffIDs) != len(img.Layers) {
		return nil, fmt.Errorf("image %s: config and layers disagree", img.ID)
	}
	st := &state{cfg: cfg, id: img.ID}
	if img.Manifest.Hex != "" {
		if raw, err := s.Blob(img.Manifest); err == nil {
			if m, err := v1.ParseManifest(bytes.NewReader(raw)); err == nil && len(m.Layers) == len(img.Layers) {
				st.layers, st.known = m.Layers, true
			}
		}
	} else if len(img.Layers) == 0 {
		st.known = true
	}
	return st, nil
}

// cacheKey is the key of a step: its parent's key and everything that
// decides its result.
func cacheKey(parent string, parts ...string) string {
	h := sha256.New()
	fmt.Fprintf(h, "pocket-build-v1\x00%s", parent)
	for _, p := range parts {
		fmt.Fprintf(h, "\x00%d:%s", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil))
}
