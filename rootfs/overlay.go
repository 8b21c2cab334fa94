package rootfs

import (
	"fmt"
	"os"
	"os/exec"

	"golang.org/x/sys/unix"
)

// Rootless pocket mounts the container's rootfs with native overlayfs
// inside its user namespace, which Linux allows from 5.11 (overlay's
// userxattr). Elsewhere it falls back, as Podman does, to fuse-overlayfs
// mounted by the monitor; POCKET_OVERLAY=fuse-overlayfs asks for it
// anyway, like Podman's mount_program.

// envOverlay is the user's choice of rootless overlay implementation.
const envOverlay = "POCKET_OVERLAY"

// fuseOverlayfs is the FUSE overlay program pocket runs.
const fuseOverlayfs = "fuse-overlayfs"

// Overlay is how a container's rootfs gets mounted.
type Overlay int

const (
	Native Overlay = iota // init mounts overlayfs itself
	Fuse                  // the monitor mounts it with fuse-overlayfs (see Mount)
)

// overlayHost is what the choice depends on.
type overlayHost struct {
	rootless      bool   // privilege.Rootless: in a user namespace
	release       string // uname -r
	env           string // $POCKET_OVERLAY
	fuseInstalled bool   // fuse-overlayfs is on $PATH
}

// chooseOverlay picks the rootfs mount: native overlayfs as root or on a
// kernel that mounts it in a user namespace, fuse-overlayfs when the user
// asks for it or the kernel is older, and otherwise an error naming both
// fixes. As root POCKET_OVERLAY is ignored: native overlay always works.
// The caller wraps the error in its own "invalid option".
func chooseOverlay(h overlayHost) (Overlay, error) {
	if !h.rootless {
		return Native, nil
	}
	switch h.env {
	case "", "overlay", "native":
	case fuseOverlayfs:
		if !h.fuseInstalled {
			return 0, fmt.Errorf("%s=%s but %s is not installed (hint: sudo apt-get install fuse-overlayfs, or unset %s)"+doctorHint,
				envOverlay, h.env, fuseOverlayfs, envOverlay)
		}
		return Fuse, nil
	default:
		return 0, fmt.Errorf("%s=%q: want fuse-overlayfs or overlay (or unset)", envOverlay, h.env)
	}
	if kernelAtLeast(h.release, 5, 11) {
		return Native, nil
	}
	if h.fuseInstalled {
		return Fuse, nil
	}
	return 0, fmt.Errorf("rootless containers need overlayfs in a user namespace, which Linux %s lacks, or fuse-overlayfs "+
		"(hint: upgrade to Linux 5.11 or later, or sudo apt-get install fuse-overlayfs, or run pocket as root)"+doctorHint, h.release)
}

// ChooseOverlay is chooseOverlay for this host; rootless is the caller's
// answer (privilege.Rootless), the same it unpacks layers by.
func ChooseOverlay(rootless bool) (Overlay, error) {
	h := overlayHost{rootless: rootless, env: os.Getenv(envOverlay)}
	if !h.rootless {
		return Native, nil
	}
	var u unix.Utsname
	if err := unix.Uname(&u); err == nil {
		h.release = unix.ByteSliceToString(u.Release[:])
	}
	_, err := exec.LookPath(fuseOverlayfs)
	h.fuseInstalled = err == nil
	return chooseOverlay(h)
}

// kernelAtLeast compares a kernel release ("6.1.0-18-amd64") with major.minor.
func kernelAtLeast(release string, major, minor int) bool {
	var ma, mi int
	if n, _ := fmt.Sscanf(release, "%d.%d", &ma, &mi); n != 2 {
		return true // unknown: let the mount say
	}
	return ma > major || (ma == major && mi >= minor)
}
