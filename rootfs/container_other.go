//go:build !linux

package rootfs

import (
	"os"

	"pocket/ns"
)

// WithContainer needs Linux (an overlay mount in a private mount
// namespace).
func WithContainer(rs ns.Rootfs, fn func(root *os.File) error) error { return ErrOS }
