package ociruntime

import (
	"fmt"
	"net"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"pocket/ns"
)

// forwardConsole takes the pty master init made in the container's devpts
// (ns.ConsoleFD), sizes it, hands it to the caller's --console-socket as
// runc does (the name as the message, the descriptor as SCM_RIGHTS), and
// lets init go on.
func forwardConsole(sock *os.File, socketPath string, size *specs.Box) error {
	master, err := ns.ReceiveConsole(sock)
	if err != nil {
		return err
	}
	defer master.Close()
	if size != nil {
		ws := &unix.Winsize{Row: uint16(size.Height), Col: uint16(size.Width)}
		if err := unix.IoctlSetWinsize(int(master.Fd()), unix.TIOCSWINSZ, ws); err != nil {
			return fmt.Errorf("size console: %w", err)
		}
	}
	if err := sendConsole(socketPath, master); err != nil {
		return err
	}
	if _, err := sock.Write([]byte{0}); err != nil {
		return fmt.Errorf("console: %w", err)
	}
	return nil
}

// sendConsole connects to the console socket and sends master over it.
func sendConsole(socketPath string, master *os.File) error {
	conn, err := net.Dial("unix", socketPath)
	if err != nil {
		return fmt.Errorf("console socket: %w", err)
	}
	defer conn.Close()
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		return fmt.Errorf("console socket %s: not a unix socket", socketPath)
	}
	if _, _, err := uc.WriteMsgUnix([]byte(master.Name()), unix.UnixRights(int(master.Fd())), nil); err != nil {
		return fmt.Errorf("send console to %s: %w", socketPath, err)
	}
	return nil
}

// consolePair is the socket pair for ns.ConsoleFD: init's end, ours.
func consolePair() (child, parent *os.File, err error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("console socketpair: %w", err)
	}
	return os.NewFile(uintptr(fds[0]), "console (init)"), os.NewFile(uintptr(fds[1]), "console"), nil
}
