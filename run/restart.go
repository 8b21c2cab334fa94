package run

import (
	"time"

	"pocket/plan"
)

// restartPolicy is --restart as the monitor applies it, for as long as it
// lives (there is no daemon to bring a container back after a reboot; see
// the README and `pocket generate systemd`).
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
