package pull

import (
	"context"
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"pocket/reference"
	"pocket/store"
)

// Registries is how references reach registries (global flags).
type Registries struct {
	// Mirrors apply to docker.io references only, tried in order before
	// Docker Hub itself, like dockerd's registry-mirrors. An http:// mirror
	// is plain HTTP.
	Mirrors []string
	// Insecure hosts (HOST[:PORT]) are reached over plain HTTP.
	Insecure []string
}

// Options tune one pull.
type Options struct {
	Registries
	Platform string    // os/arch[/variant]; empty for the host's
	Quiet    bool      // -q: print nothing but the final reference
	Out      io.Writer // progress; a terminal gets live per-layer lines
}

// Pull fetches r (parsed with reference.Parse) into s, doing nothing but
// re-tagging when every layer is present, and returns the stored image.
func Pull(ctx context.Context, s *store.Store, r name.Reference, o Options) (*store.Image, error) {
	platform, err := wantPlatform(o.Platform)
	if err != nil {
		return nil, err
	}
	release, err := s.Hold()
	if err != nil {
		return nil, err
	}
	defer release()

	prog := newProgress(o.Out, o.Quiet)
	prog.line("%s: Pulling from %s", r.Identifier(), r.Context().RepositoryStr())
	ri, err := resolve(ctx, r, o.Registries, platform)
	if err != nil {
		prog.wait()
		return nil, err
	}
	if len(ri.manifest.Layers) != len(ri.config.RootFS.DiffIDs) {
		prog.wait()
		return nil, fmt.Errorf("pull %s: manifest has %d layers but config has %d diffIDs", reference.Canonical(r), len(ri.manifest.Layers), len(ri.config.RootFS.DiffIDs))
	}
	jobs := make([]layerJob, len(ri.manifest.Layers))
	for i, l := range ri.manifest.Layers {
		jobs[i] = layerJob{diffID: ri.config.RootFS.DiffIDs[i], digest: l.Digest, size: l.Size, open: ri.layerOpener(l.Digest)}
	}
	fetched, err := ingestLayers(ctx, s, jobs, prog)
	prog.wait()
	if err != nil {
		return nil, describe(err, r)
	}

	var tag name.Reference
	var before *store.Image
	if t, ok := r.(name.Tag); ok {
		tag = t
		before, _ = s.LookupImage(t)
	}
	repoDigest := r.Context().Digest(ri.digest.String())
	img, err := s.AddImage(ri.rawMan, ri.rawCfg, tag, repoDigest)
	if err != nil {
		return nil, fmt.Errorf("pull %s: %w", reference.Canonical(r), err)
	}
	if img.Manifest != (v1.Hash{}) {
		// Where the compressed blobs are, for push (the store keeps
		// them unpacked only).
		if err := s.AddSource(img.ID, img.Manifest, store.SourceRepo(ri.at.ref.Context())); err != nil {
			return nil, fmt.Errorf("pull %s: %w", reference.Canonical(r), err)
		}
		// And which blob each layer came from, for a push of another
		// image with these layers (one built on this one): a hint, so a
		// record that cannot be written fails nothing.
		for i, l := range ri.manifest.Layers {
			_ = s.RecordLayerBlob(jobs[i].diffID, l, store.SourceRepo(ri.at.ref.Context()))
		}
	}
	prog.line("Digest: %s", ri.digest)
	if fetched == 0 && before != nil && before.ID == img.ID {
		prog.line("Status: Image is up to date for %s", reference.Familiar(r))
	} else {
		prog.line("Status: Downloaded newer image for %s", reference.Familiar(r))
	}
	if o.Out != nil {
		fmt.Fprintln(o.Out, reference.Canonical(r))
	}
	return img, nil
}
