package store

import (
	"encoding/json"
	"os"
	"slices"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// layerBlob is the file in a layer's directory that names a compressed
// blob of the layer and where it was seen (containers/image's blob-info
// cache, one file per layer): a push finds the blob at the destination,
// or mounts it from a repository of the same registry, without
// compressing the layer again. It is a hint, never trusted alone: the
// registry answers for the blob (HEAD, mount), and a record that is lost,
// torn or wrong only costs a compression. It lives and dies with the
// layer (gc, rebuild).
const layerBlob = "blob.json"

// maxBlobRepos bounds the repositories a record keeps, the newest first.
const maxBlobRepos = 8

// LayerBlob is a compressed blob of a layer and the repositories (as
// SourceRepo strings) known to hold it.
type LayerBlob struct {
	v1.Descriptor
	Repos []string `json:"repos,omitempty"`
}

// LayerBlob is the recorded compressed blob of the layer diffID; ok is
// false when there is none (or it does not parse).
func (s *Store) LayerBlob(diffID v1.Hash) (b LayerBlob, ok bool) {
	if checkHash(diffID) != nil {
		return LayerBlob{}, false
	}
	data, err := os.ReadFile(s.path("layers", diffID.Hex, layerBlob))
	if err != nil || json.Unmarshal(data, &b) != nil || checkHash(b.Digest) != nil || b.Size <= 0 {
		return LayerBlob{}, false
	}
	return b, true
}

// RecordLayerBlob records that repo holds blob desc of the layer diffID.
// A blob other than the recorded one replaces it (the repositories go with
// it). The file is written by temp and rename, not synced: a record lost
// to a crash costs one compression. It does nothing for a layer the store
// does not have.
func (s *Store) RecordLayerBlob(diffID v1.Hash, desc v1.Descriptor, repo string) error {
	if checkHash(diffID) != nil || checkHash(desc.Digest) != nil || !s.HasLayer(diffID) {
		return nil
	}
	b, ok := s.LayerBlob(diffID)
	if !ok || b.Digest != desc.Digest {
		b = LayerBlob{Descriptor: v1.Descriptor{MediaType: desc.MediaType, Size: desc.Size, Digest: desc.Digest}}
	}
	if len(b.Repos) > 0 && b.Repos[0] == repo {
		return nil
	}
	b.Repos = slices.DeleteFunc(b.Repos, func(r string) bool { return r == repo })
	b.Repos = append([]string{repo}, b.Repos...)
	if len(b.Repos) > maxBlobRepos {
		b.Repos = b.Repos[:maxBlobRepos]
	}
	data, err := json.Marshal(b)
	if err != nil {
		return err
	}
	t, err := s.newTemp()
	if err != nil {
		return err
	}
	defer t.release()
	if err := os.WriteFile(t.path, data, 0o600); err != nil {
		return err
	}
	return os.Rename(t.path, s.path("layers", diffID.Hex, layerBlob))
}
