package privilege

import (
	"os"

	"github.com/moby/sys/userns"
)

// Rootless reports whether this process lacks real root on the host: a
// non-zero effective uid, or uid 0 in a user namespace (rootless pocket,
// which ns.EnterUserNS makes root in one of its own, or root inside
// someone else's container). The kernel then withholds what only the
// initial user namespace may do: making device nodes, trusted.* xattrs
// (overlay must be mounted with userxattr and layers unpacked with
// user.overlay.opaque), host cgroups outside a delegated subtree, bridges
// and iptables.
//
// Every caller asks this function, or is handed its answer: layer
// unpacking and the overlay mount must agree on the xattrs, and a
// container's devices, cgroup and network on what the host allows.
func Rootless() bool {
	return os.Geteuid() != 0 || userns.RunningInUserNS()
}
