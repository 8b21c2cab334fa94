package run

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"pocket/cgroup"
	"pocket/ns"
	"pocket/plan"
)

// executor starts processes in a running container on its monitor's
// behalf: pocket exec and healthchecks. The monitor is the one process
// that may: rootless, it is inside the container's user namespace, which
// a multithreaded Go process cannot enter.
type executor struct {
	sp    *spec
	cg    *cgroup.Cgroup
	pid   int      // the container's PID 1
	pidfd *os.File // of PID 1; nil on kernels without pidfds
	// joins are the CLONE_NEW* flags of PID 1's namespaces that are not
	// the monitor's own.
	joins int

	mu      sync.Mutex
	closed  bool
	running map[*exec.Cmd]bool
	done    sync.WaitGroup
}

func newExecutor(sp *spec, cg *cgroup.Cgroup, pid int) *executor {
	x := &executor{sp: sp, cg: cg, pid: pid, running: map[*exec.Cmd]bool{}}
	// The monitor is PID 1's parent: until it reaps it the pid is its.
	if fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK); err == nil {
		x.pidfd = os.NewFile(uintptr(fd), "pidfd")
	}
	x.joins = otherNamespaces(pid)
	return x
}

// otherNamespaces are the namespaces of pid that are not this process's.
func otherNamespaces(pid int) int {
	kinds := []struct {
		flag int
		name string
	}{
		{unix.CLONE_NEWNS, "mnt"}, {unix.CLONE_NEWUTS, "uts"}, {unix.CLONE_NEWIPC, "ipc"},
		{unix.CLONE_NEWNET, "net"}, {unix.CLONE_NEWPID, "pid"}, {unix.CLONE_NEWCGROUP, "cgroup"},
	}
	flags := 0
	for _, k := range kinds {
		var ours, theirs unix.Stat_t
		if unix.Stat("/proc/self/ns/"+k.name, &ours) != nil {
			continue // a kernel without this kind
		}
		if unix.Stat("/proc/"+strconv.Itoa(pid)+"/ns/"+k.name, &theirs) == nil && ours.Ino == theirs.Ino && ours.Dev == theirs.Dev {
			continue
		}
		flags |= k.flag
	}
	return flags
}

// shutdown runs once PID 1 has exited: no new process starts, and those
// still running (they outlive PID 1 only where the container shares
// another PID namespace) are killed and reaped, so that the cgroup can go
// and every client gets its exit status before the monitor exits.
func (x *executor) shutdown() {
	x.mu.Lock()
	x.closed = true
	for cmd := range x.running {
		cmd.Process.Kill()
	}
	x.mu.Unlock()
	x.done.Wait()
	if x.pidfd != nil {
		x.pidfd.Close()
	}
}

// execProcess is a started exec.
type execProcess struct {
	x   *executor
	cmd *exec.Cmd
}

// wait reaps the command: its status, 128+n when signal n ended it.
func (p *execProcess) wait() int {
	defer p.x.done.Done()
	p.cmd.Wait()
	p.x.mu.Lock()
	delete(p.x.running, p.cmd)
	p.x.mu.Unlock()
	ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return p.cmd.ProcessState.ExitCode()
}

func (p *execProcess) kill() { p.cmd.Process.Kill() }

// start runs req's command in the container with the given stdio (nil:
// /dev/null) or, with req.Tty, a pty made in the container and sent over
// console. It returns once the command runs; the caller waits for it.
func (x *executor) start(req *execRequest, stdin, stdout, stderr, console *os.File) (*execProcess, error) {
	x.mu.Lock()
	closed := x.closed
	if !closed {
		x.done.Add(1)
	}
	x.mu.Unlock()
	if closed {
		return nil, notRunning(x.sp.ID)
	}
	cmd, err := x.startInit(req, stdin, stdout, stderr, console)
	if err != nil {
		x.done.Done()
		if !x.alive() {
			return nil, notRunning(x.sp.ID)
		}
		return nil, err
	}
	return &execProcess{x: x, cmd: cmd}, nil
}

// alive reports whether PID 1 still runs.
func (x *executor) alive() bool {
	if x.pidfd == nil {
		return unix.Kill(x.pid, 0) == nil
	}
	return unix.PidfdSendSignal(int(x.pidfd.Fd()), 0, nil, 0) == nil
}

func (x *executor) startInit(req *execRequest, stdin, stdout, stderr, console *os.File) (*exec.Cmd, error) {
	cfg := x.config(req)
	// CVE-2019-5736: exec-init runs pocket's binary in the container from
	// a read-only handle, never the host's file.
	exe, err := ns.SealedExe(x.sp.initCache)
	if err != nil {
		return nil, err
	}
	var exeClosed chan struct{} // closed once exe is, after the start
	defer func() {
		if exeClosed == nil {
			exe.Close()
		} else {
			<-exeClosed
		}
	}()
	cmd := exec.Command(exe.Name(), ns.ExecInitCommand)
	cmd.Env = ns.ChildEnv()
	// nil is /dev/null: an *os.File goes to the child as it is.
	if stdin != nil {
		cmd.Stdin = stdin
	}
	if stdout != nil {
		cmd.Stdout = stdout
	}
	if stderr != nil {
		cmd.Stderr = stderr
	}
	// Without a terminal, a process group of its own: a ^C meant for an
	// attached `pocket run` does not reach it (with one, exec-init makes
	// a session).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: !req.Tty}
	pipes, err := newChildPipes(cmd, x.cg)
	if err != nil {
		return nil, err
	}
	defer pipes.close()
	// ns.ConfigFD, ns.ErrorFD, ns.ConsoleFD, ns.NamespaceFD.
	cmd.ExtraFiles = append(cmd.ExtraFiles, console, x.pidfd)

	// A process enters a PID namespace only at birth, so it is forked from
	// a thread that joined the container's. That thread stays locked to
	// its goroutine, which ends: Go then retires it, and nothing else is
	// ever started from it.
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if x.joins&unix.CLONE_NEWPID != 0 {
			if err := ns.Join(pidfdOf(x.pidfd), x.pid, unix.CLONE_NEWPID); err != nil {
				started <- err
				return
			}
		}
		started <- cmd.Start()
	}()
	err = <-started
	// Dropping the detached mount waits for an RCU grace period: done
	// while exec-init starts, and over before it gets its config, so the
	// mount is gone before anything of the container can look at it (as
	// startProcess does for init).
	exeClosed = make(chan struct{})
	go func() {
		exe.Close()
		close(exeClosed)
	}()
	pipes.started()
	if err != nil {
		if errors.Is(err, ns.ErrProcessGone) {
			return nil, notRunning(x.sp.ID)
		}
		return nil, fmt.Errorf("start exec process: %w", err)
	}
	x.mu.Lock()
	x.running[cmd] = true
	x.mu.Unlock()
	abort := func() {
		cmd.Process.Kill()
		cmd.Wait()
		x.mu.Lock()
		delete(x.running, cmd)
		x.mu.Unlock()
	}
	if err := pipes.placeInCgroup(cmd.Process.Pid); err != nil {
		abort()
		return nil, err
	}
	<-exeClosed
	if err := pipes.send(cfg); err != nil {
		abort()
		return nil, fmt.Errorf("send exec config: %w", err)
	}
	if err := pipes.wait(); err != nil {
		abort()
		return nil, err
	}
	return cmd, nil
}

func pidfdOf(f *os.File) int {
	if f == nil {
		return -1
	}
	return int(f.Fd())
}

// config is exec-init's: the container's process settings, with req's
// over them as Docker's exec applies them.
func (x *executor) config(req *execRequest) *ns.ExecConfig {
	init := x.sp.Init
	p := ns.Process{
		Args: req.Args,
		// The container's environment (image, run's -e, PATH, HOSTNAME),
		// TERM with a terminal, then exec's -e.
		Env:      plan.MergeEnv(processEnv(x.sp.Env, x.sp.Hostname, req.Tty), req.Env),
		Cwd:      init.Process.Cwd,
		User:     init.Process.User,
		Terminal: req.Tty,
		// The container's --group-add (also under exec -u) and --ulimit,
		// as Docker's exec starts from the container's OCI process.
		GroupAdd: init.Process.GroupAdd,
		Rlimits:  init.Process.Rlimits,
	}
	if req.Workdir != "" {
		p.Cwd = req.Workdir
	}
	if req.User != "" {
		p.User = req.User
	}
	sec := init.Security
	if req.Privileged {
		sec.Privileged = true
	}
	return &ns.ExecConfig{
		ID: x.sp.ID, Process: p, Security: sec, Pid: x.pid,
		Namespaces: x.joins &^ unix.CLONE_NEWPID,
	}
}

// serveExec is the monitor's answer to an exec request: it starts the
// command with the client's descriptors, replies with its pid and, unless
// the client only wanted it started, with its exit status.
func (x *executor) serveExec(req *execRequest, files []*os.File, reply func(controlReply)) {
	if len(req.Args) == 0 {
		reply(controlReply{Error: "no command specified"})
		return
	}
	console := req.file(files, "console")
	if req.Tty && req.Detach && console == nil {
		ours, theirs, err := consoleSocket()
		if err != nil {
			reply(controlReply{Error: err.Error()})
			return
		}
		console = theirs
		files = append(files, theirs)
		go holdConsole(ours)
	}
	p, err := x.start(req, req.file(files, "stdin"), req.file(files, "stdout"), req.file(files, "stderr"), console)
	// Ours are copies: the command holds its own.
	for _, f := range files {
		f.Close()
	}
	if err != nil {
		var ne *ns.Error
		switch {
		case errors.Is(err, ErrNotRunning):
			reply(controlReply{NotRunning: true})
		case errors.As(err, &ne):
			reply(controlReply{Error: ne.Message, Code: ne.Code})
		default:
			reply(controlReply{Error: err.Error()})
		}
		return
	}
	reply(controlReply{Pid: p.cmd.Process.Pid})
	code := p.wait()
	reply(controlReply{Exit: &code})
}

// holdConsole is the pty master of a detached exec -t, held by the
// monitor as Docker's daemon holds it: were it closed with the client
// that asked, the kernel would hang the command up (SIGHUP, then EIO on
// its terminal). What the command writes is read and dropped, as Docker
// drops a detached exec's output, so that it never blocks on a full pty;
// the master is closed once nothing holds the terminal (EIO).
func holdConsole(sock *os.File) {
	defer sock.Close()
	ptmx, err := ns.ReceiveConsole(sock)
	if err != nil {
		return // exec-init failed first; the client gets its error
	}
	defer ptmx.Close()
	if _, err := sock.Write([]byte{0}); err != nil {
		return
	}
	io.Copy(io.Discard, ptmx)
}

// probe runs a healthcheck's command in the container (a prober): its
// stdout and stderr together, cut at maxHealthOutput.
func (x *executor) probe(args []string, timeout time.Duration) (int, string) {
	r, w, err := os.Pipe()
	if err != nil {
		return 1, err.Error()
	}
	defer r.Close()
	p, err := x.start(&execRequest{Args: args}, nil, w, w, nil)
	w.Close()
	if err != nil {
		var ne *ns.Error
		if errors.As(err, &ne) {
			return ne.Code, ne.Message
		}
		return 1, err.Error()
	}
	out := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(r, maxHealthOutput))
		io.Copy(io.Discard, r)
		out <- b
	}()
	exited := make(chan int, 1)
	go func() { exited <- p.wait() }()
	code := 0
	select {
	case code = <-exited:
	case <-time.After(timeout):
		p.kill()
		<-exited
		code = -1
	}
	// What it started may hold the pipe open: read what is there.
	r.SetReadDeadline(time.Now().Add(execWait))
	return code, string(<-out)
}

// procs are the container's processes, for top.
func (x *executor) procs() ([]int, error) { return containerPids(x.cg, x.pid) }
