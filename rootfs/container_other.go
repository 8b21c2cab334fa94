//go:build !linux

package rootfs

import (
	"os"

	"pocket/ns"
)

// WithContainer needs Linux (an overlay mount in a private mount
// namespace).
func WithContainer(rs ns.Rootfs, mounts []ns.Mount, fn func(root *os.File) error) error {
	return ErrOS
}
