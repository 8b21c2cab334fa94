package ns

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Sentinels, for errors.Is.
var (
	// ErrUnsupported is returned where containers cannot run (not Linux).
	ErrUnsupported = errors.New("containers need Linux")
	// ErrUnknownCap names a capability the kernel headers do not know.
	ErrUnknownCap = errors.New("unknown capability")
	// ErrCapUnavailable names a capability pocket's own bounding set lacks.
	ErrCapUnavailable = errors.New("not in pocket's bounding set")
	// ErrNoUser is returned for a --user name absent from /etc/passwd.
	ErrNoUser = errors.New("no matching entries in passwd file")
	// ErrNoGroup is returned for a group name absent from /etc/group.
	ErrNoGroup = errors.New("no matching entries in group file")
	// ErrUnsafePath is returned when a path pocket mounts on or masks is
	// not what it must be: a symlink, a file where a directory belongs, or
	// on another filesystem than the procfs or sysfs it belongs to.
	ErrUnsafePath = errors.New("unsafe path")
	// ErrProcMount is returned for a -v, --mount, --tmpfs (or /etc/hosts)
	// target on or inside /proc, which runc refuses too.
	ErrProcMount = errors.New("cannot be mounted")
	// ErrProcessGone is returned by Join when the process whose
	// namespaces it would enter has exited.
	ErrProcessGone = errors.New("process has exited")
	// ErrIDRange is returned for a numeric uid or gid that does not fit.
	ErrIDRange = errors.New("uids and gids must be in range 0-2147483647")
	// ErrNoJoin is returned for a namespace init cannot join itself (mount,
	// user, pid: see nsFlags).
	ErrNoJoin = errors.New("namespace cannot be joined")
)

// Exit statuses, as Docker uses them.
const (
	codeSetup       = 125 // pocket's own failure
	codeNotExec     = 126 // the command cannot be executed
	codeNotFound    = 127 // the command does not exist
	codeSignalShift = 128 // a command killed by signal n exits 128+n
)

// ReadError reads what the child wrote on its error pipe: nil at EOF with no
// data (the exec succeeded), or the *Error it sent.
func ReadError(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("read init error pipe: %w", err)
	}
	if len(data) == 0 {
		return nil
	}
	var e Error
	if err := json.Unmarshal(data, &e); err != nil || e.Message == "" {
		return fmt.Errorf("container init: unreadable error report %.80q", data)
	}
	if e.Code == 0 {
		e.Code = codeSetup
	}
	return &e
}

// asError turns any setup error into the *Error sent to the parent.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: codeSetup, Message: err.Error()}
}
