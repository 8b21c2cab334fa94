package fs

import (
	"os"

	"github.com/moby/sys/userns"
)

// UserOpaqueXattr marks an overlay opaque directory on a mount made with
// the userxattr option, the only kind a user namespace may mount (Linux
// 5.11+): trusted.* xattrs need CAP_SYS_ADMIN in the initial namespace.
const UserOpaqueXattr = "user.overlay.opaque"

// ProcessOptions are the Unpack options that suit the calling process.
// Inside a user namespace (rootless pocket is root in one) device nodes
// cannot be made, ids outside the mapping cannot be given, and opaque
// directories use UserOpaqueXattr; as real root, the defaults.
func ProcessOptions() Options {
	if os.Geteuid() != 0 || userns.RunningInUserNS() {
		return Options{Rootless: true, OpaqueXattr: UserOpaqueXattr}
	}
	return Options{}
}
