package run

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"pocket/store"
)

// joined is another container's init, held by a pidfd that was verified
// to be that container's, and the namespaces to take from it.
type joined struct {
	pidfd int
	flags int // CLONE_NEWPID, CLONE_NEWIPC, CLONE_NEWNET
}

// openJoins opens the pidfds of the containers sp joins, at start. Each
// target must still run; its recorded PID is checked to be its init: a
// PID is only a number, and once that container exits the kernel may give
// it to any process, whose namespaces a new container would otherwise
// join (PID reuse). The check: pidfd_open(PID), then the process it names
// is the child of the target's monitor (alive: it holds its lock) and
// still alive after that read, so the pidfd, which can never name another
// process, is the target's init.
func openJoins(s *store.Store, j joinSpec) ([]joined, error) {
	byID := map[string]int{}
	for _, t := range []struct {
		id   string
		flag int
	}{{j.Pid, unix.CLONE_NEWPID}, {j.IPC, unix.CLONE_NEWIPC}, {j.Net, unix.CLONE_NEWNET}} {
		if t.id != "" {
			byID[t.id] |= t.flag
		}
	}
	var out []joined
	for id, flags := range byID {
		fd, err := openInit(s, id)
		if err != nil {
			closeJoins(out)
			return nil, err
		}
		out = append(out, joined{pidfd: fd, flags: flags})
	}
	return out, nil
}

func openInit(s *store.Store, id string) (int, error) {
	c, err := loadID(s, id)
	if err != nil {
		return -1, err
	}
	gone := &joinError{fmt.Sprintf("Container %s is not running", c.spec.Name), ErrNotRunning}
	if c.state.Status != statusRunning || c.state.Pid <= 0 {
		return -1, gone
	}
	fd, err := unix.PidfdOpen(c.state.Pid, 0)
	if errors.Is(err, unix.ESRCH) {
		return -1, gone
	}
	if err != nil {
		return -1, &os.SyscallError{Syscall: "pidfd_open", Err: err}
	}
	ppid, err := parentPid(c.state.Pid)
	alive := unix.PidfdSendSignal(fd, 0, nil, 0) == nil
	if err != nil || !alive || ppid != c.state.MonitorPid || !monitorAlive(s, id) {
		unix.Close(fd)
		return -1, gone
	}
	return fd, nil
}

// parentPid reads a process's parent from /proc/PID/stat.
func parentPid(pid int) (int, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// "pid (comm) state ppid ...": comm may hold spaces and parentheses.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 2 {
		return 0, fmt.Errorf("/proc/%d/stat: short", pid)
	}
	return strconv.Atoi(f[1])
}

func closeJoins(js []joined) {
	for _, j := range js {
		unix.Close(j.pidfd)
	}
}

// enterJoins moves the calling thread, which the caller holds locked and
// which then forks the container's init, into the joined namespaces: a
// clone without CLONE_NEWPID/NEWIPC/NEWNET inherits them, so init runs in
// them from its first instruction (setns of a PID namespace only ever
// applies to children). restore moves the thread back; if it cannot, the
// thread must not be reused, and the caller fails the start.
func enterJoins(js []joined) (restore func() error, err error) {
	if len(js) == 0 {
		return func() error { return nil }, nil
	}
	own := map[int]string{unix.CLONE_NEWPID: "pid", unix.CLONE_NEWIPC: "ipc", unix.CLONE_NEWNET: "net"}
	saved := map[int]int{}
	restore = func() error {
		var errs []error
		for flag, fd := range saved {
			if err := unix.Setns(fd, flag); err != nil {
				errs = append(errs, &os.SyscallError{Syscall: "setns " + own[flag], Err: err})
			}
			unix.Close(fd)
		}
		saved = map[int]int{}
		return errors.Join(errs...)
	}
	for _, j := range js {
		for flag, name := range own {
			if j.flags&flag == 0 || saved[flag] != 0 {
				continue
			}
			// The active PID namespace, to which pid_for_children may return.
			fd, err := unix.Open("/proc/thread-self/ns/"+name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
			if err != nil {
				return nil, errors.Join(err, restore())
			}
			saved[flag] = fd
		}
		if err := unix.Setns(j.pidfd, j.flags); err != nil {
			return nil, errors.Join(fmt.Errorf("join namespaces: %w (hint: pocket needs Linux 5.8 or later to join a container's namespaces)", &os.SyscallError{Syscall: "setns", Err: err}), restore())
		}
	}
	return restore, nil
}
