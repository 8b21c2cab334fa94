package build

import "golang.org/x/sys/unix"

// isOpaque: overlayfs marks a directory that hides the layers below it
// with an xattr, trusted.* as root, user.* in a user namespace.
func isOpaque(p string) bool {
	for _, k := range []string{"trusted.overlay.opaque", "user.overlay.opaque"} {
		buf := make([]byte, 4)
		n, err := unix.Lgetxattr(p, k, buf)
		if err == nil && n == 1 && buf[0] == 'y' {
			return true
		}
	}
	return false
}
