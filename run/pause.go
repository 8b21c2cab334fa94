package run

import (
	"errors"
	"fmt"

	"pocket/cgroup"
	"pocket/store"
)

var (
	// ErrPaused is returned for pausing a container that is paused.
	ErrPaused = errors.New("container is already paused")
	// ErrNotPaused is returned for unpausing a container that is not.
	ErrNotPaused = errors.New("container is not paused")
)

// Pause freezes every process of a running container (the cgroup
// freezer, v1 or v2): they stay, unaware, until Unpause. There is no
// record of it: the kernel's freezer state is the one answer (paused).
func Pause(s *store.Store, id string) error {
	c, cg, err := freezable(s, id)
	if err != nil {
		return err
	}
	if cg.Frozen() {
		return fmt.Errorf("container %s is already paused: %w", c.spec.ID, ErrPaused)
	}
	return cg.Freeze()
}

// Unpause thaws a paused container.
func Unpause(s *store.Store, id string) error {
	c, cg, err := freezable(s, id)
	if err != nil {
		return err
	}
	if !cg.Frozen() {
		return fmt.Errorf("container %s is not paused: %w", c.spec.ID, ErrNotPaused)
	}
	return cg.Thaw()
}

// freezable loads a running container and its cgroup, in Docker's words
// when it has none to freeze.
func freezable(s *store.Store, id string) (*container, *cgroup.Cgroup, error) {
	c, err := load(s, id)
	if err != nil {
		return nil, nil, err
	}
	switch c.state.Status {
	case statusRunning:
	case statusRestarting:
		return nil, nil, fmt.Errorf("container %s is restarting, wait until the container is running", c.spec.ID)
	default:
		return nil, nil, notRunning(c.spec.ID)
	}
	cg, err := loadCgroup(c.spec.ID)
	if err != nil || cg == nil {
		return nil, nil, fmt.Errorf("container %s has no cgroup to freeze: %w (hint: rootless pocket needs a delegated cgroup v2 subtree)", c.spec.ID, cgroup.ErrUnavailable)
	}
	return c, cg, nil
}

// paused reports whether c runs with its cgroup frozen.
func (c *container) paused() bool {
	if c.state.Status != statusRunning {
		return false
	}
	cg, err := loadCgroup(c.spec.ID)
	return err == nil && cg != nil && cg.Frozen()
}

// thaw lets a paused container run again so that it can act on the
// signal it was just sent (stop, kill -9, rm -f: on cgroup v1 even
// SIGKILL waits for the thaw). A container that is not paused is left be.
func thaw(c *container) {
	if cg, err := loadCgroup(c.spec.ID); err == nil && cg != nil && cg.Frozen() {
		cg.Thaw()
	}
}
