package run

import (
	"context"
	"errors"
	"fmt"

	"pocket/plan"
	"pocket/pull"
	"pocket/store"
)

// image finds the image to run, pulling it as --pull asks, or bringing it
// in from the archive IMAGE names. An IMAGE that
// is no reference, or names no stored image, may be an image ID.
func image(ctx context.Context, s *store.Store, p *plan.Plan) (*store.Image, error) {
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
