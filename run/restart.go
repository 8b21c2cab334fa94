package run

import (
	"errors"
	"os"
	"slices"
	"time"

	"pocket/plan"
	"pocket/store"
)

// restartPolicy is --restart as the monitor applies it, for as long as it
// lives; after a reboot, `pocket start --boot` (atBoot) applies it as
// Docker's daemon does when it starts.
type restartPolicy plan.RestartPolicy

// again reports whether a run that exited with code, after count
// restarts, is started again, as Docker's restart manager decides (a
// stop by hand is checked by the caller): always and unless-stopped
// always; on-failure on a non-zero status, at most MaximumRetryCount
// times when it is set.
func (p restartPolicy) again(code, count int) bool {
	switch p.Name {
	case plan.RestartAlways, plan.RestartUnlessStopped:
		return true
	case plan.RestartOnFailure:
		return code != 0 && (p.MaximumRetryCount == 0 || count < p.MaximumRetryCount)
	}
	return false
}

// restartPolicy is the policy in the container's record now: `pocket
// update --restart` changes it while the monitor runs, and the monitor
// asks at each exit, as Docker's daemon hands an update to its restart
// manager. The record is replaced whole (writeJSON), so it is read without
// a lock; if it cannot be read, the policy the monitor started with stands.
func (c *container) restartPolicy() restartPolicy {
	var now spec
	if err := readJSON(c.dir, specFile, &now); err == nil {
		c.spec.RestartPolicy = now.RestartPolicy
	}
	return restartPolicy(c.spec.RestartPolicy)
}

// Docker's restart delays: 100ms, doubling after each restart up to a
// minute, back to 100ms once a run lasted 10 seconds.
const (
	firstRestartDelay = 100 * time.Millisecond
	maxRestartDelay   = time.Minute
	steadyRun         = 10 * time.Second
)

// backoff is the delay before each restart.
type backoff struct{ delay time.Duration }

// next is the delay before the restart that follows a run of length ran.
func (b *backoff) next(ran time.Duration) time.Duration {
	switch {
	case ran >= steadyRun || b.delay == 0:
		b.delay = firstRestartDelay
	case b.delay < maxRestartDelay:
		b.delay *= 2
	}
	b.delay = min(b.delay, maxRestartDelay)
	return b.delay
}

// atBoot reports whether `pocket start --boot` starts the container: what
// Docker's daemon restarts when it starts (its restart manager asked with
// the last exit, a fresh count): always, even after a stop by hand;
// unless-stopped unless stopped by hand; on-failure after a non-zero
// status. A container never started, or running, is left alone.
func (c *container) atBoot() bool {
	if c.state.Status != statusExited || c.state.StartedAt.IsZero() {
		return false
	}
	switch c.spec.RestartPolicy.Name {
	case plan.RestartAlways:
		return true
	case plan.RestartUnlessStopped:
		return !c.state.ManuallyStopped
	case plan.RestartOnFailure:
		return c.state.ExitCode != 0
	}
	return false
}

// BootContainers are the containers `pocket start --boot` starts, oldest
// first: pocket's stand-in for the daemon's start, run at boot by the unit
// of `pocket generate systemd --boot`.
func BootContainers(s *store.Store) ([]string, error) {
	recs, err := s.Containers()
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, r := range recs {
		c, err := loadID(s, r.ID)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if c.atBoot() {
			ids = append(ids, c.spec.ID)
		}
	}
	slices.Reverse(ids)
	return ids, nil
}
