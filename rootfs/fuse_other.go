//go:build !linux

package rootfs

import "pocket/ns"

// FuseMount is a rootfs fuse-overlayfs serves; Linux only.
type FuseMount struct{}

// Mount fails for a premounted rootfs: fuse-overlayfs needs Linux.
func Mount(rs ns.Rootfs) (*FuseMount, error) {
	if rs.Premounted {
		return nil, ErrOS
	}
	return nil, nil
}

// Unmount does nothing.
func (m *FuseMount) Unmount() error { return nil }
