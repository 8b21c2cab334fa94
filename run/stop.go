package run

import (
	"errors"
	"fmt"
	"syscall"
	"time"

	"pocket/plan"
	"pocket/store"
)

// defaultStopTimeout is Docker's wait between the stop signal and SIGKILL.
const defaultStopTimeout = 10 * time.Second

// StopOptions are `pocket stop`'s (and restart's): nil Timeout and empty
// Signal take the container's --stop-timeout and --stop-signal (the
// image's STOPSIGNAL), else 10 seconds and SIGTERM.
type StopOptions struct {
	Timeout *time.Duration
	Signal  string
}

// Stop sends the stop signal, then SIGKILL after the timeout, and ends
// the restart policy. Stopping a container that is not running succeeds
// and does nothing. A paused container is thawed to receive the signal.
func Stop(s *store.Store, id string, o StopOptions) error {
	c, err := load(s, id)
	if err != nil {
		return err
	}
	if c.state.Status != statusRunning && c.state.Status != statusRestarting {
		return nil
	}
	sig, err := c.stopSignal(o.Signal)
	if err != nil {
		return err
	}
	timeout := c.stopTimeout(o.Timeout)
	err = requestContainer(s, c, controlRequest{Signal: int(sig), Stop: true})
	thaw(c)
	if err != nil {
		if errors.Is(err, ErrNotRunning) {
			return waitMonitor(s, c.spec.ID)
		}
		return fmt.Errorf("stop container %s: %w", id, err)
	}
	deadline := time.Now().Add(timeout)
	for monitorAlive(s, c.spec.ID) {
		if time.Now().After(deadline) {
			if err := signalContainer(s, c, syscall.SIGKILL); err != nil && !errors.Is(err, ErrNotRunning) {
				return fmt.Errorf("stop container %s: %w", id, err)
			}
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return waitMonitor(s, c.spec.ID)
}

// stopSignal is the signal stop sends: given, else --stop-signal or the
// image's STOPSIGNAL, else SIGTERM.
func (c *container) stopSignal(given string) (syscall.Signal, error) {
	if given != "" {
		return parseSignal(given)
	}
	if c.spec.StopSignal != "" {
		if sig, err := parseSignal(c.spec.StopSignal); err == nil {
			return sig, nil
		}
	}
	return syscall.SIGTERM, nil
}

// stopTimeout is the wait before SIGKILL: given, else --stop-timeout,
// else 10 seconds. A negative one waits for ever, as Docker's -1.
func (c *container) stopTimeout(given *time.Duration) time.Duration {
	t := defaultStopTimeout
	switch {
	case given != nil:
		t = *given
	case c.spec.StopTimeout != nil:
		t = time.Duration(*c.spec.StopTimeout) * time.Second
	}
	if t < 0 {
		t = time.Duration(1<<63 - 1)
	}
	return t
}

// waitMonitor blocks until the container's monitor has recorded its end.
func waitMonitor(s *store.Store, id string) error {
	unlock, err := s.Lock(monitorLock(id))
	if err != nil {
		return err
	}
	unlock()
	return nil
}

// Kill sends a signal (name or number) to the container's PID 1. As in
// Docker, SIGKILL or the container's stop signal is a stop by hand: the
// restart policy ends; a paused container is thawed for SIGKILL, and
// other signals wait for its unpause.
func Kill(s *store.Store, id, signal string) error {
	sig, err := parseSignal(signal)
	if err != nil {
		return err
	}
	c, err := load(s, id)
	if err != nil {
		return err
	}
	switch c.state.Status {
	case statusRunning:
	case statusRestarting:
		return fmt.Errorf("cannot kill container %s: container %s is restarting, wait until the container is running", id, c.spec.ID)
	default:
		return fmt.Errorf("cannot kill container %s: %w", id, notRunning(c.spec.ID))
	}
	stopSig, _ := c.stopSignal("")
	err = requestContainer(s, c, controlRequest{Signal: int(sig), Stop: sig == syscall.SIGKILL || sig == stopSig})
	if sig == syscall.SIGKILL {
		thaw(c)
	}
	if err != nil {
		if errors.Is(err, ErrNotRunning) {
			return fmt.Errorf("cannot kill container %s: %w", id, notRunning(c.spec.ID))
		}
		return fmt.Errorf("kill container %s: %w", id, err)
	}
	return nil
}

// parseSignal is plan.ParseSignal, the one reading of a signal.
func parseSignal(s string) (syscall.Signal, error) { return plan.ParseSignal(s) }
