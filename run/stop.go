package run

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"pocket/store"
)

// Stop sends SIGTERM (or the image's StopSignal), then SIGKILL after timeout.
// Stopping a container that is not running succeeds and does nothing.
func Stop(s *store.Store, id string, timeout time.Duration) error {
	c, err := load(s, id)
	if err != nil {
		return err
	}
	if c.state.Status != statusRunning {
		return nil
	}
	sig := syscall.SIGTERM
	if c.spec.StopSignal != "" {
		if ss, err := parseSignal(c.spec.StopSignal); err == nil {
			sig = ss
		}
	}
	if err := signalContainer(s, c, sig); err != nil {
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

// waitMonitor blocks until the container's monitor has recorded its end.
func waitMonitor(s *store.Store, id string) error {
	unlock, err := s.Lock(monitorLock(id))
	if err != nil {
		return err
	}
	unlock()
	return nil
}

// Kill sends a signal (name or number) to the container's PID 1.
func Kill(s *store.Store, id, signal string) error {
	sig, err := parseSignal(signal)
	if err != nil {
		return err
	}
	c, err := load(s, id)
	if err != nil {
		return err
	}
	if c.state.Status != statusRunning {
		return fmt.Errorf("cannot kill container %s: %w", id, notRunning(c.spec.ID))
	}
	if err := signalContainer(s, c, sig); err != nil {
		if errors.Is(err, ErrNotRunning) {
			return fmt.Errorf("cannot kill container %s: %w", id, notRunning(c.spec.ID))
		}
		return fmt.Errorf("kill container %s: %w", id, err)
	}
	return nil
}

// parseSignal reads a signal as Docker does: a number, or a name with or
// without "SIG", in any case.
func parseSignal(s string) (syscall.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 || n > 64 {
			return 0, fmt.Errorf("%w: %q", ErrBadSignal, s)
		}
		return syscall.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, nil
	}
	return 0, fmt.Errorf("%w: %q (hint: a name like TERM or KILL, or a number)", ErrBadSignal, s)
}
