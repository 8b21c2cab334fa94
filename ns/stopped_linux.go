package ns

import "fmt"

// MountStopped mounts a stopped container's filesystem at rs.Target for
// `pocket cp`, as init would before pivot_root: its overlay (the same
// options, short layer links included, as mountOverlay composes them for
// a start) and its volumes and bind mounts, which Docker's cp reaches
// too. The caller's thread must have a mount namespace and working
// directory of its own (unshare CLONE_NEWNS gives both).
//
// CVE-2018-15664: each mount point is resolved inside the root and made
// there (root.open), never through the container's symlinks to the host:
// a stopped container's /data -> /etc would otherwise have a volume
// mounted, and its directories made, on the host's /etc.
func MountStopped(rs Rootfs, mounts []Mount) error {
	if err := mountOverlay(rs); err != nil {
		return err
	}
	r, err := openRoot(rs.Target)
	if err != nil {
		return fmt.Errorf("open rootfs: %w", err)
	}
	defer r.dir.Close()
	var binds []Mount
	for _, m := range mounts {
		// A tmpfs would be a new, empty one: cp writes under it to the
		// container's layer, as Docker's does.
		if m.Type != "tmpfs" {
			binds = append(binds, m)
		}
	}
	return r.userMounts(binds)
}
