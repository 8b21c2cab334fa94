package cgroup

import "errors"

// ErrNoController is returned when a limit needs a controller the host (or
// the rootless user's delegation) does not offer.
var ErrNoController = errors.New("cgroup controller not available")
