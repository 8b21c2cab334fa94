package run

import (
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"pocket/ns"
)

// consoleSocket is the socket pair init sends its pty master over (-t).
func consoleSocket() (ours, theirs *os.File, err error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, os.NewSyscallError("socketpair", err)
	}
	return os.NewFile(uintptr(fds[0]), "console socket"), os.NewFile(uintptr(fds[1]), "console socket"), nil
}

// console receives the pty master from init, sizes it as the user's
// terminal (and keeps it so), puts that terminal in raw mode for -i, starts
// copying, and lets init go on to exec the command.
func (a *attachment) console() error {
	ptmx, err := ns.ReceiveConsole(a.sock)
	if err != nil {
		return err
	}
	a.ptmx = ptmx
	if a.onConsole != nil {
		a.onConsole(ptmx)
	}
	if in := a.userTTY; in != nil {
		pty.InheritSize(in, ptmx)
		winch := make(chan os.Signal, 1)
		signal.Notify(winch, syscall.SIGWINCH)
		go func() {
			for range winch {
				pty.InheritSize(in, ptmx)
			}
		}()
		a.cleanup = append(a.cleanup, func() { signal.Stop(winch); close(winch) })
		if a.in != nil {
			if old, err := term.MakeRaw(int(in.Fd())); err == nil {
				a.cleanup = append(a.cleanup, func() { term.Restore(int(in.Fd()), old) })
			}
		}
	}
	if a.in != nil {
		// Never waited for: reading the user's stdin may block forever.
		go io.Copy(ptmx, a.in)
	}
	a.copied.Add(1)
	go func() {
		defer a.copied.Done()
		// Ends with EIO once the last holder of the slave is gone.
		io.Copy(a.stdout, ptmx)
	}()
	if _, err := a.sock.Write([]byte{0}); err != nil {
		return os.NewSyscallError("console go-ahead", err)
	}
	return nil
}
