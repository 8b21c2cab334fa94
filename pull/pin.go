package pull

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"pocket/lockfile"
	"pocket/reference"
)

// Pin is what a tag points at on its registry now, as pocket.lock keeps
// it: the digest of its manifest or index and, for an index, each
// platform's image manifest.
type Pin = lockfile.Entry

// Resolve asks the registry (mirrors first, as a pull does) what tag
// points at, fetching manifests only, no layers.
func Resolve(ctx context.Context, tag name.Tag, r Registries) (Pin, error) {
	eps, err := endpoints(tag, r)
	if err != nil {
		return Pin{}, err
	}
	p, err := newPuller(ctx)
	if err != nil {
		return Pin{}, err
	}
	var firm, last error
	for _, ep := range eps {
		pin, err := pinAt(ctx, p, ep.ref)
		if err == nil {
			return pin, nil
		}
		if ctx.Err() != nil {
			return Pin{}, describe(ctx.Err(), tag)
		}
		last = describe(err, tag)
		if firm == nil && definitive(last) {
			firm = last
		}
	}
	if firm != nil && !definitive(last) {
		return Pin{}, firm
	}
	return Pin{}, last
}

func pinAt(ctx context.Context, p *remote.Puller, ref name.Reference) (Pin, error) {
	desc, err := p.Get(ctx, ref)
	if err != nil {
		return Pin{}, err
	}
	pin := Pin{Digest: desc.Digest}
	if !desc.MediaType.IsIndex() {
		return pin, nil
	}
	idx, err := desc.ImageIndex()
	if err != nil {
		return Pin{}, err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return Pin{}, err
	}
	pin.Platforms = map[string]v1.Hash{}
	for _, m := range im.Manifests {
		// Attestations are listed as unknown/unknown: not a platform.
		if !m.MediaType.IsImage() || m.Platform == nil || m.Platform.OS == "unknown" {
			continue
		}
		k := lockfile.PlatformKey(*m.Platform)
		if _, dup := pin.Platforms[k]; !dup {
			pin.Platforms[k] = m.Digest
		}
	}
	if len(pin.Platforms) == 0 {
		return Pin{}, fmt.Errorf("%w: index %s lists no platform image", ErrNoMatchingManifest, desc.Digest)
	}
	return pin, nil
}

// Platform is --platform parsed, the host's when empty: the platform a
// pull picks from an index, for callers that resolve a lockfile first.
func Platform(s string) (v1.Platform, error) { return wantPlatform(s) }

// Lock pins each tag in f, asking its registry: a tag f already pins is
// asked again only with update; with update and no tags, every tag f
// pins is refreshed. It returns the tags it asked about, in order.
func Lock(ctx context.Context, f *lockfile.File, tags []name.Tag, update bool, r Registries) ([]name.Tag, error) {
	if update && len(tags) == 0 {
		tags = f.Tags()
	}
	var asked []name.Tag
	for _, t := range tags {
		if _, ok := f.Get(t); ok && !update {
			continue
		}
		pin, err := Resolve(ctx, t, r)
		if err != nil {
			return asked, fmt.Errorf("lock %s: %w", reference.Familiar(t), err)
		}
		f.Set(t, pin)
		asked = append(asked, t)
	}
	return asked, nil
}
