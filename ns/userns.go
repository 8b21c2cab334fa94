package ns

import (
	"errors"
	"os"
)

// ErrNoUserNS is returned when the kernel will not create a user namespace
// for an unprivileged user.
var ErrNoUserNS = errors.New("cannot create a user namespace")

// doctorHint ends the errors of host conditions `pocket doctor` checks.
const doctorHint = " (run `pocket doctor`)"

// envUserNS marks the process tree EnterUserNS started: "wait" until the
// id mappings are written, then "1" once pocket runs as root inside.
const envUserNS = "_POCKET_USERNS"

// envWarning carries the warning about the user namespace's mapping from
// the pocket outside to the one inside.
const envWarning = "_POCKET_USERNS_WARNING"

// UserNSWarning is what the mapping of this rootless pocket's user
// namespace costs and how to fix it ("" when nothing), for the caller to
// print once per store.
func UserNSWarning() string { return os.Getenv(envWarning) }
