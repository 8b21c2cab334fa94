package run

import (
	"errors"
	"time"

	"pocket/filter"
)

// The --filter keys of the prune commands, as the Docker daemon accepts
// them: until and label everywhere but volumes, dangling for images, all
// for volumes (Docker 23+: all=true is -a). system prune
// hands its filters to each prune it runs, so it takes their common keys.
var (
	ContainerPruneFilterKeys = []string{"until", "label", "label!"}
	ImagePruneFilterKeys     = []string{"dangling", "until", "label", "label!"}
	VolumePruneFilterKeys    = []string{"label", "label!", "all"}
	SystemPruneFilterKeys    = []string{"until", "label", "label!"}
)

// ErrUntilWithVolumes is Docker CLI's refusal of system prune --volumes
// --filter until=: volumes have no until filter.
var ErrUntilWithVolumes = errors.New(`ERROR: The "until" filter is not supported with "--volumes"`)

// PruneFilter is a prune's --filter, parsed once: what it removes must be
// created before Until (when set) and carry the labels asked.
type PruneFilter struct {
	Until time.Time
	args  filter.Args
}

// NewPruneFilter reads f's until (a Docker timestamp or a duration before
// now, one at most, as the daemon allows) and keeps its label keys.
func NewPruneFilter(f filter.Args, now time.Time) (PruneFilter, error) {
	p := PruneFilter{args: f}
	switch vs := f["until"]; len(vs) {
	case 0:
	case 1:
		t, err := ParseLogTime(vs[0], now)
		if err != nil {
			return p, err
		}
		p.Until = t
	default:
		return p, errors.New("more than one until filter specified")
	}
	return p, nil
}

// Labeled says whether the filter names labels: what has none to match
// (the bridge network, build cache entries) is then left alone.
func (p PruneFilter) Labeled() bool { return p.args.Has("label") }

// Match says whether something created then with these labels is pruned.
// As the daemon's prune, every label= must match (they are ANDed, unlike
// a listing's ORed values), and it is spared when every label!= matches.
func (p PruneFilter) Match(created time.Time, labels map[string]string) bool {
	if !p.Until.IsZero() && created.After(p.Until) {
		return false
	}
	if !allLabels(p.args["label"], labels) {
		return false
	}
	return !(len(p.args["label!"]) > 0 && allLabels(p.args["label!"], labels))
}

// allLabels is the daemon's MatchKVList: every KEY or KEY=VALUE is in labels.
func allLabels(want []string, labels map[string]string) bool {
	return filter.Args{"label": want}.Labels("label", labels)
}
