package filter

import "errors"

var (
	// ErrBadFormat is a --filter argument without "=", which Docker's CLI
	// refuses before asking the daemon.
	ErrBadFormat = errors.New("bad format of filter (expected name=value)")
	// ErrInvalidKey is a key the listing does not know; Docker says
	// "invalid filter 'KEY'".
	ErrInvalidKey = errors.New("invalid filter")
)
