//go:build !linux

package build

// isOpaque: no overlayfs, no opaque directories.
func isOpaque(string) bool { return false }
