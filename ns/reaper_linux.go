package ns

import (
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// reap is --init: pocket stays PID 1, runs the command as its child with
// the credentials and capabilities already set on this thread, forwards
// every catchable signal to it, reaps every zombie in the namespace and
// exits with the command's status (128+n when killed by signal n).
func reap(path string, args, env []string, terminal bool) error {
	sigs := make(chan os.Signal, 128)
	// Before the child exists, so no signal sent to us is lost.
	signal.Notify(sigs)

	attr := &syscall.SysProcAttr{}
	if terminal {
		// Its own process group in the foreground of the terminal, so ^C
		// goes to the command, as tini does.
		attr.Setpgid, attr.Foreground, attr.Ctty = true, true, 0
	}
	// ForkExec runs on this locked thread, whose credentials and
	// capabilities are the command's.
	pid, err := syscall.ForkExec(path, args, &syscall.ProcAttr{
		Env:   env,
		Files: []uintptr{0, 1, 2},
		Sys:   attr,
	})
	if err != nil {
		return execError(args[0], err)
	}
	// Started: the parent sees EOF on the error pipe.
	unix.Close(ErrorFD)

	for sig := range sigs {
		if sig == unix.SIGURG {
			// The Go runtime's own preemption signal, not the user's.
			continue
		}
		if sig != unix.SIGCHLD {
			// Ignore ESRCH: it may just have exited.
			_ = unix.Kill(pid, sig.(syscall.Signal))
			continue
		}
		for {
			var ws unix.WaitStatus
			p, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
			if err == unix.EINTR {
				continue
			}
			if p <= 0 || err != nil {
				break
			}
			if p == pid {
				os.Exit(exitStatus(ws))
			}
		}
	}
	return nil
}

// exitStatus is the shell's view of a wait status.
func exitStatus(ws unix.WaitStatus) int {
	if ws.Signaled() {
		return codeSignalShift + int(ws.Signal())
	}
	return ws.ExitStatus()
}
