package run

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"pocket/filter"
	"pocket/reference"
	"pocket/store"
)

// PsFilterKeys are the `ps --filter` keys pocket's records answer.
// publish, expose, isolation and is-task are refused as unknown keys:
// pocket has no port filters yet and no swarm.
var PsFilterKeys = []string{"id", "name", "label", "status", "exited", "ancestor", "before", "since", "volume", "network", "health"}

// Docker's health statuses, the values health= accepts.
var psHealths = []string{healthStarting, healthHealthy, healthUnhealthy, healthNone}

// Docker's container states, the values status= accepts.
var psStatuses = []string{"created", "restarting", "running", "removing", "paused", "exited", "dead"}

// psMatcher checks f's values once and returns the test each container
// row must pass.
func psMatcher(s *store.Store, f filter.Args) (func(Summary) bool, error) {
	for _, v := range f["status"] {
		if !slices.Contains(psStatuses, v) {
			return nil, fmt.Errorf("invalid filter 'status=%s'", v)
		}
	}
	for _, v := range f["health"] {
		if !slices.Contains(psHealths, v) {
			return nil, fmt.Errorf("Unrecognised filter value for health: %s", v)
		}
	}
	var exited []int
	for _, v := range f["exited"] {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, fmt.Errorf("invalid filter 'exited=%s'", v)
		}
		exited = append(exited, n)
	}
	// before and since name a container; rows are compared by creation.
	bound := func(key string) (time.Time, error) {
		var t time.Time
		for _, v := range f[key] {
			rec, err := s.LookupContainer(v)
			if err != nil {
				return t, err
			}
			t = rec.Created
		}
		return t, nil
	}
	before, err := bound("before")
	if err != nil {
		return nil, err
	}
	since, err := bound("since")
	if err != nil {
		return nil, err
	}
	return func(r Summary) bool {
		return f.Any("id", func(v string) bool { return strings.HasPrefix(r.ID, v) }) &&
			// Docker matches the name with and without its leading "/", so
			// both name=^web$ and name=^/web$ find web.
			f.Any("name", func(v string) bool {
				return filter.RegexpMatch(v, r.Name) || filter.RegexpMatch(v, "/"+r.Name)
			}) &&
			f.Labels("label", r.Labels) &&
			f.Exact("status", r.State) &&
			(len(exited) == 0 || r.State == statusExited && slices.Contains(exited, r.ExitCode)) &&
			f.Any("ancestor", func(v string) bool { return ancestorIs(r, v) }) &&
			(before.IsZero() || r.Created.Before(before)) &&
			(since.IsZero() || r.Created.After(since)) &&
			f.Any("volume", func(v string) bool { return slices.Contains(r.Mounts, v) }) &&
			f.Exact("network", r.Network) &&
			f.Exact("health", r.Health)
	}, nil
}

// ancestorIs is ancestor=IMAGE: the image by ID (or a prefix of it) or by
// name as the user typed it or in its canonical form.
func ancestorIs(r Summary, v string) bool {
	hex := strings.TrimPrefix(r.ImageID, "sha256:")
	if id := strings.TrimPrefix(v, "sha256:"); len(id) >= 4 && strings.HasPrefix(hex, id) {
		return true
	}
	if r.Image == v {
		return true
	}
	a, errA := reference.Parse(v)
	b, errB := reference.Parse(r.Image)
	return errA == nil && errB == nil && reference.Canonical(a) == reference.Canonical(b)
}
