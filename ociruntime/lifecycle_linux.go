package ociruntime

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"pocket/ns"
)

// status is the container's status now: stopped once its init is gone,
// created while its exec fifo exists, paused while its cgroup is frozen.
func (r *Runtime) status(rec *record) string {
	if !rec.alive() {
		return Stopped
	}
	if _, err := os.Lstat(filepath.Join(r.dir(rec.ID), fifoFile)); err == nil {
		return Created
	}
	if g, err := loadGroup(rec.Cgroup); err == nil && g.frozen() {
		return Paused
	}
	return Running
}

// State is `state`: runc's JSON of the container.
func (r *Runtime) State(id string) (*State, error) {
	rec, err := r.load(id)
	if err != nil {
		return nil, err
	}
	return rec.state(r.status(rec)), nil
}

// List is the state of every container under the root (`list`).
func (r *Runtime) List() ([]*State, error) {
	entries, err := os.ReadDir(r.Root)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*State
	for _, e := range entries {
		if st, err := r.State(e.Name()); err == nil {
			out = append(out, st)
		}
	}
	return out, nil
}

// Start lets a created container's init exec its process: it opens the
// exec fifo for reading, which unblocks init's open for writing, reads
// init's byte and removes the fifo. Then the poststart hooks run, without
// the lock: a hook may well ask the runtime about the container.
func (r *Runtime) Start(id string) error {
	var hooks *record
	err := r.locked(id, func(rec *record) error {
		if err := r.start(rec); err != nil {
			return err
		}
		hooks = rec
		return nil
	})
	if err != nil {
		return err
	}
	if hooks.Hooks != nil {
		r.warnHooks("poststart", hooks.Hooks.Poststart, hooks.hookState(Running))
	}
	return nil
}

func (r *Runtime) start(rec *record) error {
	switch r.status(rec) {
	case Stopped:
		return errors.New("cannot start a container that has stopped")
	case Running, Paused:
		return errors.New("cannot start an already running container")
	}
	fifoPath := filepath.Join(r.dir(rec.ID), fifoFile)
	// Non-blocking, so that an init that died is noticed instead of
	// waited for: until init opens its end, a read returns 0.
	f, err := os.OpenFile(fifoPath, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open exec fifo: %w", err)
	}
	defer f.Close()
	fd := int(f.Fd())
	var b [1]byte
	for {
		n, err := unix.Read(fd, b[:])
		if n == 1 {
			break
		}
		if err != nil && !errors.Is(err, unix.EAGAIN) {
			return fmt.Errorf("read exec fifo: %w", err)
		}
		if !rec.alive() {
			return errors.New("cannot start a container that has stopped")
		}
		// Wait for init's end: readable once it wrote, or 1ms to look
		// again (before it opened, poll reports nothing).
		unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}, 1)
	}
	return os.Remove(fifoPath)
}

// Kill sends sig to the container's init, or with all to every process in
// its cgroup.
func (r *Runtime) Kill(id string, sig syscall.Signal, all bool) error {
	return r.locked(id, func(rec *record) error { return r.kill(rec, sig, all) })
}

func (r *Runtime) kill(rec *record, sig syscall.Signal, all bool) error {
	if r.status(rec) == Stopped {
		return ErrNotRunning
	}
	if !all {
		return rec.signal(sig)
	}
	g, err := loadGroup(rec.Cgroup)
	if err != nil {
		return err
	}
	pids, err := g.pids()
	if err != nil {
		return err
	}
	// A frozen process receives the signal once thawed; SIGKILL thaws, as
	// runc does, so the processes die.
	if sig == unix.SIGKILL && g.frozen() {
		defer g.thaw()
	}
	for _, pid := range pids {
		if err := unix.Kill(pid, sig); err != nil && !errors.Is(err, unix.ESRCH) {
			return fmt.Errorf("signal %d: %w", pid, err)
		}
	}
	return nil
}

// Delete removes a stopped container: its cgroup, its state directory,
// then the poststop hooks (without the lock, as poststart's). With force
// a container that is not stopped is killed first.
func (r *Runtime) Delete(id string, force bool) error {
	var gone *record
	err := r.locked(id, func(rec *record) error {
		gone = rec
		return r.delete(rec, force)
	})
	if gone != nil && gone.Hooks != nil {
		r.warnHooks("poststop", gone.Hooks.Poststop, gone.hookState(Stopped))
	}
	return err
}

func (r *Runtime) delete(rec *record, force bool) error {
	// A created container is deleted without force, as runc does: its
	// process never ran.
	if st := r.status(rec); st != Stopped {
		if !force && st != Created {
			return fmt.Errorf("cannot delete container %s that is not stopped: %s", rec.ID, st)
		}
		if err := r.kill(rec, unix.SIGKILL, true); err != nil && !errors.Is(err, ErrNotRunning) {
			return err
		}
		rec.signal(unix.SIGKILL)
		// Dead once the kernel has torn it down (a zombie counts as
		// dead: its parent reaps it).
		for rec.alive() {
			time.Sleep(time.Millisecond)
		}
	}
	var errs []error
	if g, err := loadGroup(rec.Cgroup); err == nil {
		errs = append(errs, g.remove())
	}
	errs = append(errs, os.RemoveAll(r.dir(rec.ID)))
	return errors.Join(errs...)
}

// Run is create, start and wait, in the foreground: it returns the
// process's exit status (128+n when signal n killed it) and deletes the
// container.
func (r *Runtime) Run(id string, o CreateOptions) (int, error) {
	_, cmd, lateErr, err := r.create(id, o)
	if err != nil {
		return -1, err
	}
	defer lateErr.Close()
	if err := r.Start(id); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		r.Delete(id, true)
		return -1, err
	}
	cmd.Wait()
	// Init's own report, if it failed between start and the exec.
	if err := ns.ReadError(lateErr); err != nil {
		r.Delete(id, true)
		return -1, err
	}
	code := -1
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok {
		code = ws.ExitStatus()
		if ws.Signaled() {
			code = 128 + int(ws.Signal())
		}
	}
	return code, r.Delete(id, true)
}

// Pids lists the container's processes (`ps`).
func (r *Runtime) Pids(id string) ([]int, error) {
	rec, err := r.load(id)
	if err != nil {
		return nil, err
	}
	g, err := loadGroup(rec.Cgroup)
	if err != nil {
		return nil, err
	}
	pids, err := g.pids()
	slices.Sort(pids)
	return pids, err
}

// Pause freezes the container's cgroup.
func (r *Runtime) Pause(id string) error {
	return r.locked(id, func(rec *record) error {
		if st := r.status(rec); st != Running && st != Created {
			return ErrNotRunning
		}
		g, err := loadGroup(rec.Cgroup)
		if err != nil {
			return err
		}
		return g.freeze()
	})
}

// Resume thaws a paused container.
func (r *Runtime) Resume(id string) error {
	return r.locked(id, func(rec *record) error {
		if r.status(rec) != Paused {
			return ErrNotPaused
		}
		g, err := loadGroup(rec.Cgroup)
		if err != nil {
			return err
		}
		return g.thaw()
	})
}

// Update applies new resource limits (`update --resources`, a
// runtime-spec LinuxResources JSON).
func (r *Runtime) Update(id string, res *specs.LinuxResources) error {
	return r.locked(id, func(rec *record) error {
		if r.status(rec) == Stopped {
			return ErrNotRunning
		}
		g, err := loadGroup(rec.Cgroup)
		if err != nil {
			return err
		}
		limits := *res
		limits.BlockIO = blockIO(limits.BlockIO)
		if err := g.update(&limits); err != nil {
			return fmt.Errorf("update cgroup %s: %w", rec.Cgroup, err)
		}
		return nil
	})
}
