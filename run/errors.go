package run

import (
	"errors"
	"fmt"

	"pocket/plan"
)

var (
	// ErrNoCommand is returned when neither the image nor the command line
	// gives a command to run.
	ErrNoCommand = errors.New("no command specified")
	// ErrNotRunning is returned when signalling a container that is not running.
	ErrNotRunning = errors.New("container is not running")
	// ErrRunning is returned when removing a running container without force.
	ErrRunning = errors.New("container is running")
	// ErrBadName is plan.ErrBadName: a container name Docker would reject.
	ErrBadName = plan.ErrBadName
	// ErrBadOption is plan.ErrBadOption: a run option pocket does not accept.
	ErrBadOption = plan.ErrBadOption
	// ErrNetworkUnsupported is plan.ErrNetworkUnsupported: a network mode
	// other than bridge, none or host.
	ErrNetworkUnsupported = plan.ErrNetworkUnsupported
	// ErrBadMount is plan.ErrBadMount: a -v, --mount or --tmpfs that cannot
	// be set up.
	ErrBadMount = plan.ErrBadMount
	// ErrBadSignal is plan.ErrBadSignal: a signal name or number that
	// does not exist.
	ErrBadSignal = plan.ErrBadSignal
)

// errAlreadyRunning is a start of a container whose monitor runs.
var errAlreadyRunning = errors.New("container is already running")

// notRunningError names the container that is not running.
type notRunningError struct{ id string }

func notRunning(id string) error { return &notRunningError{id} }

func (e *notRunningError) Error() string        { return fmt.Sprintf("container %s is not running", e.id) }
func (e *notRunningError) Is(target error) bool { return target == ErrNotRunning }

// ErrCopyNotFound is a `pocket cp` path missing in the container.
var ErrCopyNotFound = errors.New("could not find the file")

// copyNotFound is Docker's daemon's words for a path missing in a
// container (moby daemon/errors.go containerFileNotFound).
type copyNotFound struct{ file, container string }

func (e *copyNotFound) Error() string {
	return fmt.Sprintf("Could not find the file %s in container %s", e.file, e.container)
}
func (e *copyNotFound) Is(target error) bool { return target == ErrCopyNotFound }
