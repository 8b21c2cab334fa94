package run

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"pocket/store"
)

// runningRoot opens a running container's root directory, as its init
// sees it: /proc/PID/root, its own mount namespace with its volumes and
// tmpfs mounts, the overlay as the container writes it. Writing there
// (rather than into the overlay's upper directory behind the mounted
// overlay's back, which the kernel documents as undefined) keeps
// overlay's caches right; every path below is then resolved inside this
// root (see cp.OpenDir), so the container's symlinks never lead out of
// it (CVE-2018-15664), and nothing of the container is ever executed or
// loaded on the host side (CVE-2019-14271).
//
// The container's monitor opens it and hands it over its control socket
// (see controlRequest): it is the one process sure the pid is still its
// unreaped child, and the one a rootless pocket needs. For a container
// whose monitor has no socket, the pid is opened here: a pidfd pins the
// process while it is checked to be a child of the container's monitor,
// whose lock proves it alive, and it is checked again alive once its
// root is open, so a reused pid never hands out a host process's root.
func runningRoot(s *store.Store, c *container) (*os.File, error) {
	root, err := askMonitorRoot(c.dir)
	if !errors.Is(err, errNoControl) {
		return root, err
	}
	pid := c.state.Pid
	if pid <= 0 {
		return nil, ErrNotRunning
	}
	pidfd, err := unix.PidfdOpen(pid, 0)
	if errors.Is(err, unix.ESRCH) {
		return nil, ErrNotRunning
	}
	if err != nil {
		return nil, os.NewSyscallError("pidfd_open", err)
	}
	defer unix.Close(pidfd)
	if ppid, err := parentPid(pid); err != nil || ppid != c.state.MonitorPid {
		return nil, ErrNotRunning
	}
	root, err = os.OpenFile(fmt.Sprintf("/proc/%d/root", pid), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotRunning
	}
	if err != nil {
		return nil, fmt.Errorf("open the root of container %s: %w", c.spec.Name, err)
	}
	if err := unix.PidfdSendSignal(pidfd, 0, nil, 0); err != nil || !monitorAlive(s, c.spec.ID) {
		root.Close()
		return nil, ErrNotRunning
	}
	return root, nil
}

// checkWritable gives Docker's answer to a copy into a read-only place.
func checkWritable(c *container, dir *os.File) error {
	var st unix.Statfs_t
	if err := unix.Fstatfs(int(dir.Fd()), &st); err != nil {
		return err
	}
	if st.Flags&unix.ST_RDONLY == 0 {
		return nil
	}
	if c.spec.ReadOnly {
		return errors.New("container rootfs is marked read-only")
	}
	return errors.New("mounted volume is marked read-only")
}
