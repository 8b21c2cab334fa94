package cgroup

import "errors"

var (
	// ErrNoController is returned when a limit needs a controller (or one of
	// its files) that the host, or the rootless user's delegation, does not
	// offer. The error names the Docker flag and says how to get it.
	ErrNoController = errors.New("cgroup controller not available")

	// ErrInvalidLimit is returned for a limit Docker would refuse too.
	ErrInvalidLimit = errors.New("invalid value")

	// ErrInvalidDeviceRule is returned for a --device-cgroup-rule that is
	// not in Docker's grammar; the words are Docker's.
	ErrInvalidDeviceRule = errors.New("invalid device cgroup format")

	// ErrUnavailable is returned when there is no cgroup hierarchy pocket can
	// write to (or the OS has no cgroups at all).
	ErrUnavailable = errors.New("no writable cgroup hierarchy")
)
