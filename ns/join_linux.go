package ns

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// namespaceFiles names each CLONE_NEW* flag's file in /proc/PID/ns, in the
// order Join enters them: the mount namespace last, since after it the
// caller's view of /proc is the container's.
var namespaceFiles = []struct {
	flag int
	name string
}{
	{unix.CLONE_NEWIPC, "ipc"},
	{unix.CLONE_NEWUTS, "uts"},
	{unix.CLONE_NEWNET, "net"},
	{unix.CLONE_NEWPID, "pid"},
	{unix.CLONE_NEWCGROUP, "cgroup"},
	{unix.CLONE_NEWNS, "mnt"},
}

// Join moves the calling OS thread into the namespaces (CLONE_NEW* flags)
// of the process pidfd refers to: with one setns where the kernel takes a
// pidfd for it (Linux 5.8), which also fails cleanly once that process is
// gone; otherwise through the files in /proc/pid/ns, checked against the
// pidfd afterwards so that a reused pid cannot lead elsewhere. pidfd may
// be -1 (Linux < 5.3), where pid alone is trusted.
//
// The caller locks its goroutine to the thread and never unlocks it: the
// thread is in the container for good. For the mount namespace it must
// first unshare(CLONE_FS), which a thread of a Go process shares with the
// others and setns(CLONE_NEWNS) refuses to change. A joined PID namespace
// is that of the thread's children, not its own.
func Join(pidfd, pid, flags int) error {
	if pidfd >= 0 {
		err := unix.Setns(pidfd, flags)
		if err == nil {
			return nil
		}
		if err == unix.ESRCH {
			return ErrProcessGone
		}
		if err != unix.EINVAL {
			return &os.SyscallError{Syscall: "setns", Err: err}
		}
		// EINVAL: a kernel whose setns takes namespace files only.
	}
	var fds []int
	defer func() {
		for _, fd := range fds {
			unix.Close(fd)
		}
	}()
	var kinds []int
	for _, n := range namespaceFiles {
		if flags&n.flag == 0 {
			continue
		}
		p := "/proc/" + strconv.Itoa(pid) + "/ns/" + n.name
		fd, err := unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ESRCH) {
			return ErrProcessGone
		}
		if err != nil {
			return &os.PathError{Op: "open", Path: p, Err: err}
		}
		fds = append(fds, fd)
		kinds = append(kinds, n.flag)
	}
	if pidfd >= 0 {
		// Still the same process: the files are its namespaces.
		if err := unix.PidfdSendSignal(pidfd, 0, nil, 0); err != nil {
			return ErrProcessGone
		}
	}
	for i, fd := range fds {
		if err := unix.Setns(fd, kinds[i]); err != nil {
			return fmt.Errorf("setns %s: %w", namespaceName(kinds[i]), err)
		}
	}
	return nil
}

func namespaceName(flag int) string {
	for _, n := range namespaceFiles {
		if n.flag == flag {
			return n.name
		}
	}
	return strconv.Itoa(flag)
}
