package run

import (
	"context"
	"time"

	"pocket/store"
)

// Wait blocks until the container exits and returns its exit status.
func Wait(ctx context.Context, s *store.Store, id string) (int, error) {
	c, err := load(s, id)
	if err != nil {
		return 0, err
	}
	// Polled rather than a blocking flock, so that ctx can end the wait.
	for c.state.Status == statusRunning {
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if c, err = loadID(s, c.spec.ID); err != nil {
			// Removed by --rm once it ended; its status went with it.
			return 0, err
		}
	}
	return c.state.ExitCode, nil
}
