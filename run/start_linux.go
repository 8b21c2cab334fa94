package run

import (
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"

	"pocket/cgroup"
	"pocket/ns"
	"pocket/trace"
)

// process is a started container init.
type process struct {
	cmd *exec.Cmd
	att *attachment
}

// startProcess re-executes pocket as the container's init in new
// namespaces, places it in cg before it runs anything of the image, sends
// its configuration and waits for the exec (or a setup error).
//
// The caller must hold its goroutine on its OS thread (runtime.LockOSThread)
// until the process is waited for: Pdeathsig follows the thread that forked,
// not the process, and Go may otherwise retire that thread.
func startProcess(sp *spec, cg *cgroup.Cgroup, st streams, log *jsonLog) (*process, error) {
	n := sp.Namespaces
	flags := unix.CLONE_NEWNS
	if !n.HostUTS() {
		flags |= unix.CLONE_NEWUTS
	}
	// A namespace joined is the thread's already (enterJoins, below).
	if !n.HostIPC() && sp.Join.IPC == "" {
		flags |= unix.CLONE_NEWIPC
	}
	if !n.HostPID() && sp.Join.Pid == "" {
		flags |= unix.CLONE_NEWPID
	}
	if sp.Network != netHost && sp.Join.Net == "" {
		flags |= unix.CLONE_NEWNET
	}
	// A record from before --cgroupns has no mode: Docker's default.
	if n.Cgroupns() || n.CgroupnsMode == "" && cgroup.Unified() {
		flags |= unix.CLONE_NEWCGROUP
	}
	// CVE-2019-5736: init runs pocket's binary from a read-only handle, so
	// no process in the container can reach the host's file through it.
	exe, err := ns.SealedExe(sp.initCache)
	if err != nil {
		return nil, err
	}
	var exeClosed chan struct{} // closed once exe is, after Start
	defer func() {
		if exeClosed == nil {
			exe.Close()
		}
	}()
	trace.Mark("binary sealed")
	cmd := exec.Command(exe.Name(), "init")
	cmd.Env = ns.ChildEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: uintptr(flags), Pdeathsig: syscall.SIGKILL}
	if sp.Join.Pid != "" {
		// Go's fork checks that getppid() is still the parent after
		// arming Pdeathsig and kills the child otherwise; in a joined PID
		// namespace the parent is outside it and getppid() is 0. init
		// arms the signal itself (ns.Init); a parent dead before that
		// leaves init its config pipe's EOF, and it exits.
		cmd.SysProcAttr.Pdeathsig = 0
	}
	// ns.ConfigFD, ns.ErrorFD (attach may add ns.ConsoleFD), and the
	// cgroup it starts in.
	pipes, err := newChildPipes(cmd, cg)
	if err != nil {
		return nil, err
	}
	defer pipes.close()

	att, err := attach(cmd, sp, st, log)
	if err != nil {
		return nil, fmt.Errorf("attach: %w", err)
	}
	p := &process{cmd: cmd, att: att}
	restore, err := enterJoins(sp.joins)
	if err == nil {
		err = cmd.Start()
		if rerr := restore(); rerr != nil {
			if err == nil {
				cmd.Process.Kill()
				cmd.Wait()
			}
			err = errors.Join(err, rerr)
		}
	}
	// Dropping the last handle of the detached mount dissolves it, which
	// waits for an RCU grace period (about half a millisecond): done while
	// init starts up, and over before it is sent its config, so the mount
	// is gone (and can never be made writable again) before anything of
	// the container runs.
	trace.Mark("forked")
	exeClosed = make(chan struct{})
	go func() {
		exe.Close()
		close(exeClosed)
	}()
	pipes.started()
	att.started()
	if err != nil {
		att.close()
		return nil, fmt.Errorf("start container init: %w", err)
	}
	if err := pipes.placeInCgroup(cmd.Process.Pid); err != nil {
		p.abort()
		return nil, err
	}
	if sp.beforeConfig != nil {
		if err := sp.beforeConfig(cmd.Process.Pid); err != nil {
			p.abort()
			return nil, err
		}
	}
	trace.Mark("in cgroup, network")
	<-exeClosed
	if err := pipes.send(&sp.Init); err != nil {
		p.abort()
		return nil, fmt.Errorf("send container config: %w", err)
	}
	trace.Mark("config sent")
	if att.sock != nil {
		if err := att.console(); err != nil {
			// Init's own error, if it failed first, says more; without
			// our go-ahead it fails once our end closes.
			att.sock.Close()
			if ierr := pipes.wait(); ierr != nil {
				err = ierr
			}
			p.wait()
			return nil, err
		}
	}
	if err := pipes.wait(); err != nil {
		p.wait()
		return nil, err
	}
	return p, nil
}

// abort kills a child that has not exec'd yet and reaps it.
func (p *process) abort() {
	p.cmd.Process.Kill()
	p.wait()
}

// wait reaps the container init and returns Docker's exit status: the
// process's own, or 128+n when signal n killed it.
func (p *process) wait() int {
	err := p.cmd.Wait()
	p.att.close()
	st := p.cmd.ProcessState
	if st == nil {
		return 125
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	var ee *exec.ExitError
	// EPIPE is the user's closed output (see logWriter), not pocket's
	// failure.
	if err != nil && !errors.As(err, &ee) && !errors.Is(err, syscall.EPIPE) && st.ExitCode() == 0 {
		return 125
	}
	return st.ExitCode()
}

func (p *process) pid() int { return p.cmd.Process.Pid }

// lockThread pins the caller to its OS thread for Pdeathsig.
func lockThread() (unlock func()) {
	runtime.LockOSThread()
	return runtime.UnlockOSThread
}
