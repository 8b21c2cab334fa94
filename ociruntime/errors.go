package ociruntime

import "errors"

// Sentinels, for errors.Is. Their texts are runc's (libcontainer/error.go):
// containerd and go-runc match on them.
var (
	ErrExist      = errors.New("container with given ID already exists")
	ErrInvalidID  = errors.New("invalid container ID format")
	ErrNotExist   = errors.New("container does not exist")
	ErrNotRunning = errors.New("container not running")
	ErrNotPaused  = errors.New("container not paused")
	ErrPaused     = errors.New("container paused")
	// ErrUnsupported names what config.json may say that pocket cannot do.
	ErrUnsupported = errors.New("not supported by pocket")
)
