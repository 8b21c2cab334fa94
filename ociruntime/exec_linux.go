package ociruntime

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"pocket/ns"
)

// Exec runs a process in a running container: pocket's init, started
// inside the container's namespaces and cgroup, applies the process's
// user, capabilities, rlimits and the container's seccomp filter, and
// execs it. With Detach it returns once the process runs (its parent, the
// caller's subreaper, reaps it); otherwise it waits and returns its exit
// status.
func (r *Runtime) Exec(id string, o ExecOptions) (int, error) {
	rec, err := r.load(id)
	if err != nil {
		return -1, err
	}
	if st := r.status(rec); st != Running && st != Created {
		return -1, errors.New("cannot exec in a stopped container")
	}
	if rec.UserNS {
		// setns into a user namespace needs a single-threaded caller.
		return -1, fmt.Errorf("exec in a container with its own user namespace: %w", ErrUnsupported)
	}
	sp, err := r.execProcess(rec, o)
	if err != nil {
		return -1, err
	}
	proc, err := process(sp)
	if err != nil {
		return -1, err
	}
	sec, err := security(sp)
	if err != nil {
		return -1, err
	}
	sec.Seccomp = rec.Seccomp
	cg, err := pidGroup(rec.Pid)
	if err != nil {
		return -1, err
	}
	pidfd, err := rec.pidfd()
	if err != nil {
		return -1, err
	}
	defer unix.Close(pidfd)
	l := &launch{
		init:          ns.Config{ID: rec.ID, Joined: true, JoinPid: rec.Pid, Process: proc, Security: sec},
		join:          pidfd,
		cg:            cg,
		consoleSocket: o.ConsoleSocket,
		consoleSize:   sp.ConsoleSize,
		stdin:         r.Stdin, stdout: r.Stdout, stderr: r.Stderr,
		initCache: r.initDir(),
	}
	cmd, err := l.start()
	if err != nil {
		return -1, err
	}
	if o.PidFile != "" {
		if err := writePidFile(o.PidFile, cmd.Process.Pid); err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			return -1, err
		}
	}
	if o.Detach {
		cmd.Process.Release()
		return 0, nil
	}
	stop := forwardSignals(cmd.Process)
	err = cmd.Wait()
	stop()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok {
		if ws.Signaled() {
			return 128 + int(ws.Signal()), nil
		}
		return ws.ExitStatus(), nil
	}
	return -1, err
}

// execProcess is --process's JSON, or the container's own process with
// exec's arguments and flags over it.
func (r *Runtime) execProcess(rec *record, o ExecOptions) (*specs.Process, error) {
	if o.ProcessFile != "" {
		data, err := os.ReadFile(o.ProcessFile)
		if err != nil {
			return nil, fmt.Errorf("read process: %w", err)
		}
		var p specs.Process
		if err := json.Unmarshal(data, &p); err != nil {
			return nil, fmt.Errorf("read process %s: %w", o.ProcessFile, err)
		}
		if len(p.Args) == 0 {
			return nil, errors.New("process args cannot be empty")
		}
		return &p, nil
	}
	if len(o.Args) == 0 {
		return nil, errors.New("exec: no command given (hint: pass it after the container id, or --process)")
	}
	spec, err := readSpec(rec.Bundle)
	if err != nil {
		return nil, err
	}
	p := *spec.Process
	p.Args, p.Terminal = o.Args, o.TTY
	p.Env = append(p.Env[:len(p.Env):len(p.Env)], o.Env...)
	if o.Cwd != "" {
		p.Cwd = o.Cwd
	}
	if o.User != "" {
		uid, gid, _ := strings.Cut(o.User, ":")
		u, err := strconv.ParseUint(uid, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("exec --user %q: want uid[:gid]", o.User)
		}
		p.User = specs.User{UID: uint32(u)}
		if gid != "" {
			g, err := strconv.ParseUint(gid, 10, 32)
			if err != nil {
				return nil, fmt.Errorf("exec --user %q: want uid[:gid]", o.User)
			}
			p.User.GID = uint32(g)
		}
	}
	return &p, nil
}

// readSpec reads a bundle's config.json.
func readSpec(bundle string) (*specs.Spec, error) {
	data, err := os.ReadFile(filepath.Join(bundle, "config.json"))
	if err != nil {
		return nil, fmt.Errorf("read bundle config: %w", err)
	}
	var spec specs.Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		return nil, fmt.Errorf("read bundle config: %w", err)
	}
	return &spec, nil
}

// writePidFile writes pid as runc does: atomically, no newline.
func writePidFile(path string, pid int) error {
	if err := writeAtomic(path, []byte(strconv.Itoa(pid)), 0o644); err != nil {
		return fmt.Errorf("write pid file: %w", err)
	}
	return nil
}

// forwardSignals passes every signal this process receives on to p until
// stop is called, as runc's signal proxy does for a foreground exec: a
// shim's or a terminal's SIGTERM, SIGINT or SIGHUP reaches the process
// the user ran and not only its client. SIGCHLD is the client's own, and
// SIGURG is the Go runtime's preemption signal.
func forwardSignals(p *os.Process) (stop func()) {
	ch := make(chan os.Signal, 32)
	signal.Notify(ch)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case sig := <-ch:
				if sig == unix.SIGCHLD || sig == unix.SIGURG {
					continue
				}
				p.Signal(sig)
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}
