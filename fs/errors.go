package fs

import "errors"

var (
	// ErrNotEmpty is returned by Unpack when the target directory already
	// holds entries: a layer is always unpacked into a fresh directory, so
	// that hardlinks can only reach files of the same layer.
	ErrNotEmpty = errors.New("directory not empty")

	// ErrUnsafeEntry marks a tar entry that cannot be applied without
	// leaving the layer tree or following a symlink, such as a hardlink
	// whose target is reached through a symlink.
	ErrUnsafeEntry = errors.New("unsafe tar entry")

	// ErrInvalidEntry marks a tar entry that makes no sense in a layer,
	// such as a whiteout of "..".
	ErrInvalidEntry = errors.New("invalid tar entry")

	// ErrUnsupported is returned where the platform cannot unpack layers.
	ErrUnsupported = errors.New("layer unpacking is only supported on linux")
)
