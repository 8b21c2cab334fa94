package pull

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"pocket/reference"
	"pocket/store"
)

// Annotations that name an image in an OCI layout: containerd (and Docker
// 25+) write the full name; the OCI spec's ref.name is often just a tag.
const (
	annotationContainerd = "io.containerd.image.name"
	annotationRefName    = "org.opencontainers.image.ref.name"
)

// loadOCI stores every image listed in an OCI layout's index.json,
// choosing by platform from nested indexes.
func loadOCI(ctx context.Context, s *store.Store, b blobs, platform string, prog progress) ([]string, error) {
	raw, err := readMeta(b, "index.json")
	if err != nil {
		return nil, err
	}
	idx, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: index.json: %v", ErrBadArchive, err)
	}
	want, err := wantPlatform(platform)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, desc := range idx.Manifests {
		tags, err := layoutNames(desc)
		if err != nil {
			return names, err
		}
		d, err := platformManifest(b, desc, want)
		if err != nil {
			return names, err
		}
		if !d.MediaType.IsImage() {
			continue // attestations, signatures and the like
		}
		id, err := loadLayoutImage(ctx, s, b, d, tags, prog)
		if err != nil {
			return names, err
		}
		if len(tags) == 0 {
			names = append(names, id.String())
		}
		for _, t := range tags {
			names = append(names, reference.Familiar(t))
		}
	}
	return names, nil
}

// platformManifest is desc itself, or for a nested index the manifest of
// the platform wanted.
func platformManifest(b blobs, desc v1.Descriptor, want v1.Platform) (v1.Descriptor, error) {
	if !desc.MediaType.IsIndex() {
		return desc, nil
	}
	raw, err := readMeta(b, blobPath(desc.Digest))
	if err != nil {
		return desc, err
	}
	child, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		return desc, fmt.Errorf("%w: index %s: %v", ErrBadArchive, desc.Digest, err)
	}
	h, err := pickPlatform(child, want, desc.Digest.String())
	if err != nil {
		return desc, err
	}
	for _, m := range child.Manifests {
		if m.Digest == h {
			return m, nil
		}
	}
	return desc, nil
}

func layoutNames(d v1.Descriptor) ([]name.Reference, error) {
	n := d.Annotations[annotationContainerd]
	if n == "" {
		n = d.Annotations[annotationRefName]
		// A bare tag ("latest") names no repository.
		if !strings.ContainsAny(n, ":/") {
			return nil, nil
		}
	}
	if n == "" {
		return nil, nil
	}
	r, err := reference.Parse(n)
	if err != nil {
		return nil, fmt.Errorf("%w: image name %q: %v", ErrBadArchive, n, err)
	}
	if _, ok := r.(name.Tag); !ok {
		return nil, nil
	}
	return []name.Reference{r}, nil
}

// loadLayoutImage stores one image of a layout and returns its ID.
func loadLayoutImage(ctx context.Context, s *store.Store, b blobs, d v1.Descriptor, tags []name.Reference, prog progress) (v1.Hash, error) {
	manRaw, err := readMeta(b, blobPath(d.Digest))
	if err != nil {
		return v1.Hash{}, err
	}
	if err := verifyBlob(manRaw, d.Digest); err != nil {
		return v1.Hash{}, err
	}
	man, err := v1.ParseManifest(bytes.NewReader(manRaw))
	if err != nil {
		return v1.Hash{}, fmt.Errorf("%w: manifest %s: %v", ErrBadArchive, d.Digest, err)
	}
	cfgRaw, err := readMeta(b, blobPath(man.Config.Digest))
	if err != nil {
		return v1.Hash{}, err
	}
	if err := verifyBlob(cfgRaw, man.Config.Digest); err != nil {
		return v1.Hash{}, err
	}
	cfg, err := v1.ParseConfigFile(bytes.NewReader(cfgRaw))
	if err != nil {
		return v1.Hash{}, fmt.Errorf("%w: config %s: %v", ErrBadArchive, man.Config.Digest, err)
	}
	if len(cfg.RootFS.DiffIDs) != len(man.Layers) {
		return v1.Hash{}, fmt.Errorf("%w: manifest %s has %d layers but its config has %d", ErrBadArchive, d.Digest, len(man.Layers), len(cfg.RootFS.DiffIDs))
	}
	jobs := make([]layerJob, len(man.Layers))
	for i, l := range man.Layers {
		jobs[i] = layerJob{diffID: cfg.RootFS.DiffIDs[i], digest: l.Digest, size: l.Size, open: opener(b, blobPath(l.Digest))}
	}
	if _, err := ingestLayers(ctx, s, jobs, prog); err != nil {
		return v1.Hash{}, err
	}
	if _, err := addImage(s, manRaw, cfgRaw, tags); err != nil {
		return v1.Hash{}, err
	}
	return man.Config.Digest, nil
}

func verifyBlob(data []byte, d v1.Hash) error {
	got, _, err := v1.SHA256(bytes.NewReader(data))
	if err != nil {
		return err
	}
	if got != d {
		return fmt.Errorf("%w: blob %s has %s", store.ErrDigestMismatch, d, got)
	}
	return nil
}
