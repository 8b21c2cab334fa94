package pull

import (
	"context"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/errgroup"
)

// blobsThere is what the destination said, asked at once, about the blobs
// of a manifest: true for a blob it holds, false for one it lacks. A blob
// whose question failed is not in it and is asked again.
type blobsThere map[v1.Hash]bool

// unchanged asks at once whether the tag names manifest d already and
// which of man's blobs (config and layers) the repository holds. A re-push
// of an unchanged image is then one round of requests, and no upload or
// manifest PUT: the answer is true only if the tag is d and every blob is
// there.
//
// The manifest alone would not do: a registry keeps what a tagged manifest
// references through garbage collection, but a blob can still be deleted
// (the API's DELETE, an operator, lost storage), and Docker, which asks
// for every blob, uploads it again. So does pocket: the blobs' answers
// go to the usual push, which uploads only the missing ones.
func (p *pusher) unchanged(ctx context.Context, dst *session, tag name.Tag, d v1.Hash, man *v1.Manifest) (bool, blobsThere) {
	descs := append([]v1.Descriptor{man.Config}, man.Layers...)
	var (
		mu     sync.Mutex
		there  = make(blobsThere, len(descs))
		tagged bool
		g      errgroup.Group
	)
	g.Go(func() error {
		ok := dst.manifestIs(ctx, tag.TagStr(), d, man.MediaType)
		mu.Lock()
		tagged = ok
		mu.Unlock()
		return nil
	})
	for _, desc := range descs {
		g.Go(func() error {
			ok, err := dst.hasBlob(ctx, desc.Digest)
			if err == nil {
				mu.Lock()
				there[desc.Digest] = ok
				mu.Unlock()
			}
			return nil
		})
	}
	_ = g.Wait()
	if !tagged {
		return false, there
	}
	for _, desc := range descs {
		if !there[desc.Digest] {
			return false, there
		}
	}
	return true, there
}

// has is whether the destination holds blob d: what it said already, or
// what it says now.
func (b blobsThere) has(ctx context.Context, dst *session, d v1.Hash) (bool, error) {
	if ok, known := b[d]; known {
		return ok, nil
	}
	return dst.hasBlob(ctx, d)
}
