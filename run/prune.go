package run

import (
	"errors"
	"time"

	"pocket/store"
)

// PruneOptions picks what PruneUnused removes: one kind for `container
// prune`, `network prune`, `image prune` and `volume prune`, several for
// `system prune`.
type PruneOptions struct {
	Containers bool // every stopped container
	Networks   bool // the bridge and pocket's iptables chains, when no container uses them
	Images     bool // dangling images
	AllImages  bool // with Images: every image no container uses
	Volumes    bool // anonymous volumes no container uses
	AllVolumes bool // with Volumes: named ones too
	// Until and MaxSize bound the store as a CI cache (system prune
	// --until, --max-size): images no container uses, tagged or not, go
	// when last used longer ago than Until, then least recently used
	// first until their layers take at most MaxSize bytes.
	Until      time.Duration
	MaxSize    int64
	BuildCache bool // every build cache entry (system prune, builder prune)
	// CacheUntil keeps the build cache entries made at or after it.
	CacheUntil time.Time
	// Filter is --filter: it narrows the containers, images and volumes
	// removed. The bridge and the build cache carry no labels, so a label
	// filter leaves them; an until filter leaves the bridge, whose age
	// pocket does not know.
	Filter PruneFilter
}

// PruneReport is what a prune removed, in Docker's sections.
type PruneReport struct {
	Containers []string // IDs
	Networks   []string // names
	Volumes    []string // names
	Images     []string // image IDs
	// CacheEntries is the number of build cache entries removed.
	CacheEntries int
	// Reclaimed is the space the container, image and volume prunes and
	// the build cache freed, in bytes.
	// Measured says one of them ran: Docker prints no total for a
	// network prune.
	Reclaimed int64
	Measured  bool
}

// PruneUnused removes what o selects, in the order of Docker's system
// prune: containers first, so the bridge, images and volumes only they held
// go in the same call. It goes on past an error, reports what it removed
// and returns the errors joined.
func PruneUnused(s *store.Store, o PruneOptions) (PruneReport, error) {
	var r PruneReport
	var errs []error
	if o.Containers {
		ids, n, err := Prune(s, o.Filter)
		r.Containers, r.Reclaimed, r.Measured = ids, r.Reclaimed+n, true
		errs = append(errs, err)
	}
	if o.Networks && !o.Filter.Labeled() && o.Filter.Until.IsZero() {
		names, err := PruneNetworks(s)
		r.Networks = names
		errs = append(errs, err)
	}
	if o.Volumes {
		names, n, err := s.PruneVolumes(o.AllVolumes, func(v *store.Volume) bool { return o.Filter.Match(v.CreatedAt, volumeInfo(v).Labels) })
		r.Volumes, r.Reclaimed, r.Measured = names, r.Reclaimed+n, true
		errs = append(errs, err)
	}
	if o.Images {
		ids, n, err := s.PruneImages(o.AllImages, func(img *store.Image) bool { return o.Filter.Match(img.Created, imageLabels(s, img)) })
		r.Images, r.Reclaimed, r.Measured = ids, r.Reclaimed+n, true
		errs = append(errs, err)
	}
	if o.Until > 0 || o.MaxSize > 0 {
		eo := store.EvictOptions{MaxSize: o.MaxSize}
		if o.Until > 0 {
			eo.Until = time.Now().Add(-o.Until)
		}
		ids, n, err := s.EvictImages(eo)
		r.Images, r.Reclaimed, r.Measured = append(r.Images, ids...), r.Reclaimed+n, true
		errs = append(errs, err)
	}
	if o.BuildCache && !o.Filter.Labeled() {
		until := o.CacheUntil
		if u := o.Filter.Until; !u.IsZero() && (until.IsZero() || u.Before(until)) {
			until = u
		}
		n, freed, err := s.PruneCache(until)
		r.CacheEntries, r.Reclaimed, r.Measured = n, r.Reclaimed+freed, true
		errs = append(errs, err)
	}
	return r, errors.Join(errs...)
}

// imageLabels are an image's config labels; an image whose config cannot
// be read has none, so a label= filter spares it.
func imageLabels(s *store.Store, img *store.Image) map[string]string {
	cfg, err := s.Config(img)
	if err != nil {
		return nil
	}
	return cfg.Config.Labels
}

// Measured says whether the prune o asks for reports the space it
// reclaimed: all but network prune, which Docker prints no total for.
func (o PruneOptions) Measured() bool {
	return o.Containers || o.Images || o.Volumes || o.BuildCache || o.Until > 0 || o.MaxSize > 0
}
