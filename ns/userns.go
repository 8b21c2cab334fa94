package ns

import (
	"errors"
	"os"

	"github.com/moby/sys/userns"
)

// ErrNoUserNS is returned when the kernel will not create a user namespace
// for an unprivileged user.
var ErrNoUserNS = errors.New("cannot create a user namespace")

// envUserNS marks the process tree EnterUserNS started: "wait" until the
// id mappings are written, then "1" once pocket runs as root inside.
const envUserNS = "_POCKET_USERNS"

// Rootless reports whether pocket runs inside the user namespace that
// EnterUserNS created for a non-root user: it is uid 0 there, but holds
// no privilege on the host (no devices, no host cgroups, overlay only with
// userxattr).
func Rootless() bool {
	return os.Getenv(envUserNS) == "1" && os.Geteuid() == 0 && userns.RunningInUserNS()
}
