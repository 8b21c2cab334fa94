package plan

import (
	"errors"
	"fmt"
	"strings"
)

// Namespaces is what --pid, --ipc, --uts, --network container:, --userns
// and --cgroupns ask for: the modes as inspect shows them, and the
// containers whose namespaces to join (names or IDs as given; run
// resolves them, and checks they run, when it creates the container).
type Namespaces struct {
	PidMode      string // "" (private), "host" or "container:NAME"
	IpcMode      string // "private" (Docker's default), "shareable", "none", "host" or "container:NAME"
	UTSMode      string // "" or "host"
	UsernsMode   string // "" or "host"
	CgroupnsMode string // "private" or "host"

	JoinPid string // container whose PID namespace to join
	JoinIPC string
	JoinNet string // --network container:NAME
}

// HostPID and the others report a host namespace.
func (n Namespaces) HostPID() bool { return n.PidMode == "host" }
func (n Namespaces) HostIPC() bool { return n.IpcMode == "host" }
func (n Namespaces) HostUTS() bool { return n.UTSMode == "host" }

// Cgroupns reports a cgroup namespace of the container's own.
func (n Namespaces) Cgroupns() bool { return n.CgroupnsMode == "private" }

// errRootlessJoin is why rootless pocket cannot join another container's
// namespaces: each pocket command runs in a user namespace of its own (see
// ns.EnterUserNS), so a container's namespaces belong to another user
// namespace, in which this one has no capability, and Go cannot setns
// into a user namespace.
var errRootlessJoin = errors.New("rootless pocket cannot join another container's namespaces: each runs in a user namespace of its own (hint: run both containers as root, or in one container)")

// parseNamespaces checks the namespace modes in Docker's words (its CLI's
// "--pid: invalid PID mode" and the daemon's conflicts) and, rootless,
// refuses what cannot work there rather than ignore it.
func parseNamespaces(o *Options, h Host, unified bool) (Namespaces, error) {
	n := Namespaces{PidMode: o.PidMode, IpcMode: o.IpcMode, UTSMode: o.UTSMode, UsernsMode: o.UsernsMode, CgroupnsMode: o.CgroupnsMode}
	target := func(mode string) (string, bool) {
		name, ok := strings.CutPrefix(mode, "container:")
		return name, ok && name != ""
	}
	switch name, ok := target(o.PidMode); {
	case o.PidMode == "" || o.PidMode == "host":
	case ok:
		n.JoinPid = name
	default:
		return n, fmt.Errorf("%w: --pid: invalid PID mode", ErrBadOption)
	}
	switch name, ok := target(o.IpcMode); {
	case o.IpcMode == "":
		n.IpcMode = "private"
	case o.IpcMode == "private" || o.IpcMode == "shareable" || o.IpcMode == "none" || o.IpcMode == "host":
	case ok:
		n.JoinIPC = name
	default:
		return n, fmt.Errorf("%w: --ipc: invalid IPC mode", ErrBadOption)
	}
	if o.UTSMode != "" && o.UTSMode != "host" {
		return n, fmt.Errorf("%w: --uts: invalid UTS mode", ErrBadOption)
	}
	if o.UsernsMode != "" && o.UsernsMode != "host" {
		return n, fmt.Errorf("%w: --userns: invalid USER mode", ErrBadOption)
	}
	switch o.CgroupnsMode {
	case "":
		// Docker's default: a namespace of its own on cgroup v2, the
		// host's on v1.
		n.CgroupnsMode = "host"
		if unified {
			n.CgroupnsMode = "private"
		}
	case "host", "private":
	default:
		return n, fmt.Errorf("%w: --cgroupns: invalid CGROUP mode", ErrBadOption)
	}
	if n.HostUTS() && o.Hostname != "" {
		return n, fmt.Errorf("%w: conflicting options: hostname and the UTS mode", ErrBadOption)
	}
	if name, ok := target(o.Network); ok {
		n.JoinNet = name
	}
	if !h.Rootless {
		return n, nil
	}
	switch {
	case n.JoinPid != "":
		return n, fmt.Errorf("%w: --pid %s: %w", ErrBadOption, o.PidMode, errRootlessJoin)
	case n.JoinIPC != "":
		return n, fmt.Errorf("%w: --ipc %s: %w", ErrBadOption, o.IpcMode, errRootlessJoin)
	case n.JoinNet != "":
		return n, fmt.Errorf("%w: --network %s: %w", ErrBadOption, o.Network, errRootlessJoin)
	case n.HostPID():
		// proc can be mounted only by a capability over the PID
		// namespace's owner, the host's user namespace.
		return n, fmt.Errorf("%w: --pid host: rootless pocket cannot mount the host's /proc (hint: run pocket as root)", ErrBadOption)
	case n.UsernsMode == "host":
		return n, fmt.Errorf("%w: --userns host: rootless pocket runs every container in its user namespace (hint: run pocket as root, where containers share the host's)", ErrBadOption)
	}
	return n, nil
}
