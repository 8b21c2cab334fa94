package ns

import (
	"errors"

	"pocket/privilege"
)

// ErrNoUserNS is returned when the kernel will not create a user namespace
// for an unprivileged user.
var ErrNoUserNS = errors.New("cannot create a user namespace")

// envUserNS marks the process tree EnterUserNS started: "wait" until the
// id mappings are written, then "1" once pocket runs as root inside.
const envUserNS = "_POCKET_USERNS"

// Rootless is privilege.Rootless, the one answer to "rootless?", kept
// under this name for main.go.
//
// Deprecated: ask privilege.Rootless.
func Rootless() bool { return privilege.Rootless() }
