//go:build !linux

package fs

import "io"

// Check needs Linux.
func Check(string, io.Reader, Options) (string, error) { return "", ErrUnsupported }
