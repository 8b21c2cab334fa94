package plan

import (
	"errors"
	"fmt"
)

var (
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

// networkError names the unsupported network mode.
type networkError struct{ mode string }

func (e *networkError) Error() string {
	return fmt.Sprintf("network %s is not supported yet (hint: --network bridge, none or host)", e.mode)
}
func (e *networkError) Is(target error) bool { return target == ErrNetworkUnsupported }

// mountError is a mount that cannot be set up, in Docker's words; it
// matches ErrBadMount.
type mountError struct{ msg string }

// BadMount is a mountError: for run, which finds a bind source missing
// only when it prepares the mounts.
func BadMount(format string, a ...any) error { return &mountError{fmt.Sprintf(format, a...)} }

func (e *mountError) Error() string { return e.msg }
func (e *mountError) Unwrap() error { return ErrBadMount }
