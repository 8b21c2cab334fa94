package ns

import (
	"errors"
)

// ErrNoUserNS is returned when the kernel will not create a user namespace
// for an unprivileged user.
var ErrNoUserNS = errors.New("cannot create a user namespace")

// doctorHint ends the errors of host conditions `pocket doctor` checks.
const doctorHint = " (run `pocket doctor`)"

// envUserNS marks the process tree EnterUserNS started: "wait" until the
// id mappings are written, then "1" once pocket runs as root inside.
const envUserNS = "_POCKET_USERNS"
