//go:build !linux

package fs

import "io"

// Diff lists the changes of an overlay upper directory.
func Diff(string, DiffOptions) ([]Change, error) { return nil, ErrUnsupported }

// WriteDiff writes an overlay upper directory as an OCI layer tar.
func WriteDiff(io.Writer, string, DiffOptions) error { return ErrUnsupported }

// WriteMerged writes overlay's merged view of dirs as one tar.
func WriteMerged(io.Writer, []string, string) error { return ErrUnsupported }

// HasChanges reports whether an upper directory holds a change.
func HasChanges(string, DiffOptions) (bool, error) { return false, ErrUnsupported }

// AdoptUpper makes a container's upper directory a layer directory.
func AdoptUpper(string, string, io.Writer, DiffOptions) (string, error) { return "", ErrUnsupported }
