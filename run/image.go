package run

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"golang.org/x/sync/errgroup"

	"pocket/fs"
	"pocket/plan"
	"pocket/pull"
	"pocket/store"
)

// image finds the image to run, pulling it as --pull asks, or bringing it
// in from the archive IMAGE names. An IMAGE that
// is no reference, or names no stored image, may be an image ID.
func image(ctx context.Context, s *store.Store, p *plan.Plan) (*store.Image, error) {
	img, err := findImage(ctx, s, p)
	if err != nil {
		return nil, err
	}
	return checked(ctx, s, p, img)
}

// checked makes sure every layer of img is intact before it is used (see
// store.CheckLayer): a store restored from a CI cache may have lost some.
// A damaged layer is removed; the image is then fetched again from where
// it came (its registry or archive), or the error says how to.
func checked(ctx context.Context, s *store.Store, p *plan.Plan, img *store.Image) (*store.Image, error) {
	o := &p.Flags
	// Layers are checked at once, each under its own lock: after a
	// restore, hashing a 1 GB image layer by layer left all but one CPU
	// idle. Checked layers cost a stat each either way.
	errs := make([]error, len(img.Layers))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, l := range img.Layers {
		g.Go(func() error {
			errs[i] = s.CheckLayer(l, fs.OptionsFor(p.Host.Rootless))
			return nil
		})
	}
	g.Wait()
	var damaged error
	for _, err := range errs {
		if errors.Is(err, store.ErrLayerDamaged) || errors.Is(err, store.ErrLayerUnknown) {
			damaged = err
			continue
		}
		if err != nil {
			return nil, err
		}
	}
	switch {
	case damaged == nil:
		return img, nil
	case o.Archive != nil:
		return pull.FromArchive(ctx, s, *o.Archive, o.PullOpts)
	case o.Ref != nil && p.Pull != "never":
		if o.PullOpts.Out != nil {
			fmt.Fprintf(o.PullOpts.Out, "Image '%s' is damaged in the store (%v): pulling it again\n", o.Image, damaged)
		}
		return pull.Pull(ctx, s, o.Ref, o.PullOpts)
	}
	return nil, fmt.Errorf("image %s: %w (hint: pocket pull %s fetches it again)", o.Image, damaged, o.Image)
}

// findImage finds the image to run, pulling it as --pull asks.
func findImage(ctx context.Context, s *store.Store, p *plan.Plan) (*store.Image, error) {
	o := &p.Flags
	if o.Archive != nil {
		// No registry and no --pull: the archive is the source, and the
		// layers it shares with the store are not unpacked again.
		return pull.FromArchive(ctx, s, *o.Archive, o.PullOpts)
	}
	if o.Ref == nil {
		return s.LookupID(o.Image)
	}
	if p.Pull == "always" {
		return pull.Pull(ctx, s, o.Ref, o.PullOpts)
	}
	img, err := s.LookupImage(o.Ref)
	if errors.Is(err, store.ErrImageUnknown) {
		// Docker's order: a name first, then an ID or ID prefix ("3f2a").
		if byID, ierr := s.LookupID(o.Image); !errors.Is(ierr, store.ErrImageUnknown) {
			return byID, ierr
		}
	}
	if err == nil || !errors.Is(err, store.ErrImageUnknown) {
		return img, err
	}
	if p.Pull == "never" {
		return nil, fmt.Errorf("%w: %s (hint: pull it or use --pull missing)", store.ErrImageUnknown, o.Image)
	}
	if o.PullOpts.Out != nil {
		fmt.Fprintf(o.PullOpts.Out, "Unable to find image '%s' locally\n", o.Image)
	}
	return pull.Pull(ctx, s, o.Ref, o.PullOpts)
}
