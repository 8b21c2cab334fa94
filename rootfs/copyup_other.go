//go:build !linux

package run

// populate needs Linux (an overlay mount in a private mount namespace);
// elsewhere only a container without volumes to fill gets this far.
func populate(lower []string, userXattr bool, copies []copyUp) error {
	if len(copies) == 0 {
		return nil
	}
	return errOS
}
