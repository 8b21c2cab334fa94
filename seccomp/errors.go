package seccomp

import "errors"

var (
	// ErrProfile is a profile pocket cannot compile: an unknown action,
	// operator or architecture, or one it does not support.
	ErrProfile = errors.New("invalid seccomp profile")
	// ErrArch is a GOARCH pocket has no syscall tables for.
	ErrArch = errors.New("seccomp: unsupported architecture")
	// ErrOS is every system but Linux, which has no seccomp.
	ErrOS = errors.New("seccomp: Linux only")
)
