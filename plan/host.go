package plan

import (
	"errors"
	"os/exec"

	"golang.org/x/sys/unix"

	"pocket/cgroup"
	"pocket/network"
	"pocket/privilege"
	"pocket/rootfs"
)

// Host is what this host lets pocket do, probed once (Probe) and handed to
// Parse, so that the devices, the cgroup, the network and the rootfs of a
// container all get the same answer to "rootless?" (containerd's model:
// the caller decides once and passes its options down).
type Host struct {
	// Rootless is privilege.Rootless: no device cgroup, no bridge, overlay
	// with userxattr over layers unpacked for it.
	Rootless bool
	// Overlay is how the rootfs gets mounted; overlayErr why it cannot be.
	Overlay    rootfs.Overlay
	overlayErr error
	// Cgroup: a container cgroup can be made (real root, or a delegated
	// cgroup v2 subtree).
	Cgroup bool
	// Unified: the host runs cgroup v2 alone (cgroup.Unified).
	Unified bool
	// UserNet is why user-mode networking cannot work for rootless
	// pocket (no pasta or slirp4netns, or no /dev/net/tun); nil when it can.
	UserNet error
}

// Probe asks this host, once.
func Probe() Host {
	h := Host{Rootless: privilege.Rootless()}
	h.Overlay, h.overlayErr = rootfs.ChooseOverlay(h.Rootless)
	_, h.Cgroup = cgroup.Parent(h.Rootless)
	h.Unified = cgroup.Unified()
	if h.Rootless {
		h.UserNet = userNetwork()
	}
	return h
}

// errNoTun is why rootless bridge networking cannot work although a tool
// is installed: both need a tap device.
var errNoTun = errors.New("rootless networking needs /dev/net/tun, which this user may not open (hint: give it its usual mode, chmod 0666 /dev/net/tun)")

// userNetwork reports why user-mode networking cannot work for rootless
// pocket: neither pasta nor slirp4netns installed, or no access to
// /dev/net/tun; nil means it can.
func userNetwork() error {
	for _, t := range []string{"pasta", "slirp4netns"} {
		if _, err := exec.LookPath(t); err == nil {
			if unix.Access("/dev/net/tun", unix.R_OK|unix.W_OK) != nil {
				return errNoTun
			}
			return nil
		}
	}
	return network.ErrNoRootlessTool
}
