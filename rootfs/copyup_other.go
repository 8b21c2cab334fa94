//go:build !linux

package rootfs

// Populate needs Linux (an overlay mount in a private mount namespace);
// elsewhere only a container without volumes to fill gets this far.
func Populate(lower []string, userXattr bool, copies []CopyUp) error {
	if len(copies) == 0 {
		return nil
	}
	return ErrOS
}
