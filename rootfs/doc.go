// Package rootfs prepares what a container's root filesystem is made of:
// the overlay mount's kind, fuse-overlayfs, and volumes filled from the image.
package rootfs
