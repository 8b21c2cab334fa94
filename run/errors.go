package run

import (
	"errors"
	"fmt"
)

var (
	// ErrNoCommand is returned when neither the image nor the command line
	// gives a command to run.
	ErrNoCommand = errors.New("no command specified")
	// ErrNotRunning is returned when signalling a container that is not running.
	ErrNotRunning = errors.New("container is not running")
	// ErrRunning is returned when removing a running container without force.
	ErrRunning = errors.New("container is running")
	// ErrBadName is returned for a container name Docker would reject.
	ErrBadName = errors.New("invalid container name")
	// ErrBadOption is returned for a run option pocket does not accept.
	ErrBadOption = errors.New("invalid option")
	// ErrNetworkUnsupported is returned for a network mode other than
	// bridge, none or host.
	ErrNetworkUnsupported = errors.New("network mode is not supported yet")
	// ErrBadMount is returned for a -v, --mount or --tmpfs that cannot be set up.
	ErrBadMount = errors.New("invalid mount")
	// ErrBadSignal is returned for a signal name or number that does not exist.
	ErrBadSignal = errors.New("invalid signal")
)

// notRunningError names the container that is not running.
type notRunningError struct{ id string }

func notRunning(id string) error { return &notRunningError{id} }

func (e *notRunningError) Error() string        { return fmt.Sprintf("container %s is not running", e.id) }
func (e *notRunningError) Is(target error) bool { return target == ErrNotRunning }

// networkError names the unsupported network mode.
type networkError struct{ mode string }

func (e *networkError) Error() string {
	return fmt.Sprintf("network %s is not supported yet (hint: --network bridge, none or host)", e.mode)
}
func (e *networkError) Is(target error) bool { return target == ErrNetworkUnsupported }
