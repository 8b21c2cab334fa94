package run

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"pocket/store"
)

// Start is `pocket start` without -a: the container runs under a
// detached monitor, as `run -d` starts it. A container that runs already
// is left as it is, as Docker does.
func Start(s *store.Store, id string) error {
	c, err := load(s, id)
	if err != nil {
		return err
	}
	if c.paused() {
		return fmt.Errorf("cannot start a paused container, try unpause instead")
	}
	if c.state.Status == statusRunning || c.state.Status == statusRestarting {
		return nil
	}
	return detach(s, c)
}

// StartOptions are `pocket start -a [-i]`'s streams.
type StartOptions struct {
	Interactive    bool // -i: stdin goes to a container created with -i
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// StartAttached is `pocket start -a`: this process becomes the
// container's monitor, as an attached run's, with the user's streams,
// and returns the container's exit status.
func StartAttached(s *store.Store, id string, o StartOptions) (int, error) {
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE) // see Run
	reap()
	c, err := load(s, id)
	if err != nil {
		return 125, err
	}
	if c.state.Status == statusRunning || c.state.Status == statusRestarting {
		return 125, fmt.Errorf("container %s is already running (hint: pocket logs -f %s follows its output)", c.spec.ID[:12], id)
	}
	st := streams{stdout: o.Stdout, stderr: o.Stderr}
	if o.Interactive {
		st.stdin = o.Stdin
	}
	return supervise(s, c, st, nil)
}

// Restart is `pocket restart`: stop (the stop options as stop's), then
// start under a detached monitor.
func Restart(s *store.Store, id string, o StopOptions) error {
	if err := Stop(s, id, o); err != nil {
		return err
	}
	return Start(s, id)
}
