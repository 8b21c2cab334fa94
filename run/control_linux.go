package run

import (
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// samePeer reports whether the process at the other end of conn runs as
// this process's effective uid (SO_PEERCRED, as seen from this user
// namespace).
func samePeer(conn *net.UnixConn) bool {
	raw, err := conn.SyscallConn()
	if err != nil {
		return false
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil || cerr != nil {
		return false
	}
	return int(cred.Uid) == os.Geteuid()
}

// signal sends sig to the container's PID 1 through its pidfd (Go's
// os.Process), which cannot reach another process once this one is
// reaped: then it is os.ErrProcessDone.
func (p *process) signal(sig syscall.Signal) error { return p.cmd.Process.Signal(sig) }
