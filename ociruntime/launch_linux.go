package ociruntime

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"pocket/ns"
)

// launch is one start of pocket's init: a container's (create) or a
// process joining a running one (exec).
type launch struct {
	init       ns.Config
	cloneflags uintptr
	uidMap     []specs.LinuxIDMapping
	gidMap     []specs.LinuxIDMapping
	// pidNS is a pid namespace to start init in; join is a running
	// container's init whose namespaces init starts in (exec).
	pidNS string
	join  int
	cg    *group
	// consoleSocket receives the pty master when init.Process.Terminal.
	consoleSocket string
	consoleSize   *specs.Box
	// fifo is the exec fifo (O_PATH) that holds init before it execs
	// (create); nil for exec.
	fifo   *os.File
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// initCache is where pocket's container init is kept (ns.SealedExe).
	initCache string
	// lateErr is init's error pipe after a gated start, for a failure
	// after `start` (the caller closes it).
	lateErr *os.File
}

func dupFile(f *os.File) (*os.File, error) {
	fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, &os.SyscallError{Syscall: "fcntl(F_DUPFD_CLOEXEC)", Err: err}
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}

// Descriptor numbers in init, after ns.ConfigFD, ns.ErrorFD, ns.ConsoleFD.
const (
	fifoFD  = 6
	readyFD = 7
	joinFD  = 8 // exec: the container init's pidfd
)

// start forks init, places it in its cgroup, sends its Config and waits
// until it is held at the gate (create) or has exec'd the command (exec).
// A setup failure comes back as init's own error.
func (l *launch) start() (*exec.Cmd, error) {
	exe, err := ns.SealedExe(l.initCache)
	if err != nil {
		return nil, err
	}
	defer exe.Close()
	cmd := exec.Command(exe.Name(), "init")
	cmd.Env = []string{}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = l.stdin, l.stdout, l.stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: l.cloneflags}
	if len(l.uidMap) > 0 {
		cmd.SysProcAttr.UidMappings = idMap(l.uidMap)
		cmd.SysProcAttr.GidMappings = idMap(l.gidMap)
		cmd.SysProcAttr.GidMappingsEnableSetgroups = true
		// The child keeps its host ids, unmapped in the new namespace
		// unless they are mapped to themselves: it becomes the
		// namespace's root once the maps are written, as runc's init does.
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: 0, Gid: 0, Groups: []uint32{}}
	}
	if l.cg != nil {
		if f, ok := l.cg.fd(); ok {
			defer f.Close()
			cmd.SysProcAttr.UseCgroupFD = true
			cmd.SysProcAttr.CgroupFD = int(f.Fd())
		}
	}

	var closeAfter, closeParent []*os.File
	defer func() {
		for _, f := range append(closeAfter, closeParent...) {
			f.Close()
		}
	}()
	configR, configW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	closeAfter, closeParent = append(closeAfter, configR), append(closeParent, configW)
	errR, errW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	closeAfter, closeParent = append(closeAfter, errW), append(closeParent, errR)
	files := []*os.File{configR, errW, nil, nil, nil, nil}
	var consoleSock *os.File
	if l.init.Process.Terminal {
		if l.consoleSocket == "" {
			return nil, errors.New("cannot allocate tty if runc will detach without setting console socket")
		}
		child, parent, err := consolePair()
		if err != nil {
			return nil, err
		}
		closeAfter, closeParent = append(closeAfter, child), append(closeParent, parent)
		files[2], consoleSock = child, parent
	}
	var readyR *os.File
	if l.fifo != nil {
		r, w, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		closeAfter, closeParent = append(closeAfter, w), append(closeParent, r)
		files[3], files[4], readyR = l.fifo, w, r
		l.init.Gate = &ns.Gate{ReadyFD: readyFD, FifoFD: fifoFD}
	}
	if l.join != 0 {
		// A copy: the caller owns l.join and closes it.
		fd, err := unix.FcntlInt(uintptr(l.join), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			return nil, &os.SyscallError{Syscall: "fcntl(F_DUPFD_CLOEXEC)", Err: err}
		}
		files[5] = os.NewFile(uintptr(fd), "container pidfd")
		closeAfter = append(closeAfter, files[5])
		l.init.JoinFD = joinFD
	}
	for len(files) > 0 && files[len(files)-1] == nil {
		files = files[:len(files)-1]
	}
	cmd.ExtraFiles = files

	if err := l.fork(cmd); err != nil {
		return nil, fmt.Errorf("start container init: %w", err)
	}
	for _, f := range closeAfter {
		f.Close()
	}
	closeAfter = nil
	fail := func(err error) (*exec.Cmd, error) {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, err
	}
	if l.cg != nil && !cmd.SysProcAttr.UseCgroupFD {
		// cgroup v1: init blocks reading its Config until it is in.
		if err := l.cg.add(cmd.Process.Pid); err != nil {
			return fail(err)
		}
	}
	if err := json.NewEncoder(configW).Encode(&l.init); err != nil {
		return fail(fmt.Errorf("send container config: %w", err))
	}
	configW.Close()
	if consoleSock != nil {
		if err := forwardConsole(consoleSock, l.consoleSocket, l.consoleSize); err != nil {
			consoleSock.Close()
			if ierr := ns.ReadError(errR); ierr != nil {
				err = ierr
			}
			return fail(err)
		}
	}
	if readyR != nil {
		// One byte: held at the gate. EOF: init failed (and wrote why).
		var b [1]byte
		if n, _ := readyR.Read(b[:]); n == 1 {
			// Init can still fail after the gate (capabilities, seccomp,
			// the exec itself): run reads why from here.
			dup, err := dupFile(errR)
			if err != nil {
				return fail(err)
			}
			l.lateErr = dup
			return cmd, nil
		}
	}
	if err := ns.ReadError(errR); err != nil {
		cmd.Wait()
		return nil, err
	}
	if readyR != nil {
		return fail(errors.New("container init: exited before it was ready"))
	}
	return cmd, nil
}

// fork starts cmd. Joining a pid namespace (for children only) changes
// the calling thread for good, so that is done on a locked thread of its
// own which Go retires when it returns. Nothing else is joined here: the
// binary is exec'd as the host's mount namespace sees it, and init joins
// the rest itself (ns.Config.JoinFD).
func (l *launch) fork(cmd *exec.Cmd) error {
	if l.pidNS == "" && l.join == 0 {
		return cmd.Start()
	}
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// No UnlockOSThread: this thread is never used again.
		if err := l.enter(); err != nil {
			done <- err
			return
		}
		done <- cmd.Start()
	}()
	return <-done
}

// enter moves the calling, locked thread into the namespaces init must
// start in.
func (l *launch) enter() error {
	if l.pidNS != "" {
		return setnsPath(l.pidNS, unix.CLONE_NEWPID)
	}
	if err := ns.Join(l.join, l.init.JoinPid, unix.CLONE_NEWPID); err != nil {
		return fmt.Errorf("join the container's pid namespace: %w", err)
	}
	return nil
}

func setnsPath(path string, flag int) error {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open namespace", Path: path, Err: err}
	}
	defer unix.Close(fd)
	if err := unix.Setns(fd, flag); err != nil {
		return &os.PathError{Op: "setns", Path: path, Err: err}
	}
	return nil
}

func idMap(m []specs.LinuxIDMapping) []syscall.SysProcIDMap {
	out := make([]syscall.SysProcIDMap, len(m))
	for i, e := range m {
		out[i] = syscall.SysProcIDMap{ContainerID: int(e.ContainerID), HostID: int(e.HostID), Size: int(e.Size)}
	}
	return out
}
