package run

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	units "github.com/docker/go-units"

	"pocket/filter"
	"pocket/store"
)

// ListOptions are `pocket ps`'s: All includes stopped containers, Last
// keeps the n newest (all states; 0 for no limit), Filters are Docker's
// --filter keys (see PsFilterKeys).
type ListOptions struct {
	All     bool
	Last    int
	Filters filter.Args
}

// List is `pocket ps`, newest first as Docker's.
func List(s *store.Store, o ListOptions) ([]Summary, error) {
	f := o.Filters
	match, err := psMatcher(s, f)
	if err != nil {
		return nil, err
	}
	// Docker lists stopped containers when asked for them by status, or
	// for the last n.
	all := o.All || o.Last > 0 || f.Has("status") || f.Has("exited")
	// Reclaim dead containers' networks after reading their states, so that
	// a container ps shows exited has none left.
	defer reap()
	recs, err := s.Containers()
	if err != nil {
		return nil, err
	}
	out := []Summary{}
	now := time.Now()
	for _, r := range recs {
		c, err := loadID(s, r.ID)
		if errors.Is(err, os.ErrNotExist) {
			continue // removed meanwhile, or still being created
		}
		if err != nil {
			return nil, err
		}
		if !all && c.state.Status != statusRunning && c.state.Status != statusRestarting {
			continue
		}
		st := c.state
		if c.paused() {
			st.Status = statusPaused
		}
		sum := Summary{
			ID: c.spec.ID, Name: c.spec.Name, Image: c.spec.ImageName,
			Command: shortCommand(c.spec.Init.Process.Args), Created: c.spec.Created,
			Status: statusText(st, now), State: st.Status, Ports: portsText(c.state),
			FullCommand: strings.Join(c.spec.Init.Process.Args, " "), ImageID: c.spec.Image.String(),
			ExitCode: c.state.ExitCode, Network: c.spec.Network, Labels: c.spec.Labels, Health: healthStatus(c),
		}
		if st.Status == statusRunning {
			sum.Status += healthSuffix(sum.Health)
		}
		for _, m := range c.spec.Mounts {
			if m.Name != "" {
				sum.Mounts = append(sum.Mounts, m.Name)
			} else {
				sum.Mounts = append(sum.Mounts, m.Source)
			}
		}
		if match(sum) {
			out = append(out, sum)
		}
		if o.Last > 0 && len(out) == o.Last {
			break
		}
	}
	return out, nil
}

// shortCommand is ps's COMMAND column: truncated to 20 characters as
// Docker does without --no-trunc.
func shortCommand(argv []string) string {
	s := strings.Join(argv, " ")
	if r := []rune(s); len(r) > 20 {
		return string(r[:19]) + "…"
	}
	return s
}

// statusText is ps's STATUS column.
func statusText(st State, now time.Time) string {
	switch st.Status {
	case statusRunning:
		return "Up " + units.HumanDuration(now.Sub(st.StartedAt))
	case statusPaused:
		return "Up " + units.HumanDuration(now.Sub(st.StartedAt)) + " (Paused)"
	case statusRestarting:
		return fmt.Sprintf("Restarting (%d) %s ago", st.ExitCode, units.HumanDuration(now.Sub(st.FinishedAt)))
	case statusExited:
		return fmt.Sprintf("Exited (%d) %s ago", st.ExitCode, units.HumanDuration(now.Sub(st.FinishedAt)))
	}
	return "Created"
}
