package run

import (
	"fmt"
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

// root opens the container's root directory as its PID 1 sees it. The
// process is this monitor's child, alive before and after the open: not
// reaped, so its pid cannot have been reused meanwhile.
func (p *process) root() (*os.File, error) {
	if err := p.cmd.Process.Signal(syscall.Signal(0)); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(fmt.Sprintf("/proc/%d/root", p.pid()), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	if err := p.cmd.Process.Signal(syscall.Signal(0)); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
