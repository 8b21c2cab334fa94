package lockfile

import "errors"

var (
	// ErrNotPinned is returned for a reference the lockfile does not pin.
	ErrNotPinned = errors.New("not pinned by the lockfile")
	// ErrBadLockfile is returned for a lockfile pocket cannot read.
	ErrBadLockfile = errors.New("invalid lockfile")
)
