package run

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"pocket/ns"
	"pocket/rootfs"
	"pocket/store"
)

// supervise runs a created container to its end: pocket's attached run
// and the detached monitor both do it, as the container's only monitor.
// It holds the container's monitor lock throughout, which is how other
// commands know the container is alive. started is called once the
// container's command runs. With --rm the container is removed at the end.
func supervise(s *store.Store, c *container, st streams, started func()) (int, error) {
	unlock, err := s.Lock(monitorLock(c.spec.ID))
	if err != nil {
		return 125, err
	}
	defer unlock()
	if err := s.MarkRunning(c.spec.ID); err != nil {
		return c.failed(err)
	}
	defer s.UnmarkRunning(c.spec.ID)
	code, err := c.runOnce(s, st, started)
	if c.spec.AutoRemove {
		anon := anonymousVolumes(s, c.spec.ID)
		if rerr := removeFiles(s, c.spec.ID); rerr != nil && err == nil {
			err = rerr
		}
		if rerr := removeVolumes(s, anon); rerr != nil && err == nil {
			err = rerr
		}
	}
	return code, err
}

// runOnce starts the container, waits for it and records the outcome.
func (c *container) runOnce(s *store.Store, st streams, started func()) (int, error) {
	id := c.spec.ID
	f, err := os.OpenFile(filepath.Join(c.dir, logFile), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return 125, err
	}
	defer f.Close()
	log := &jsonLog{w: f}

	// Listening before the state says "running", so that whoever reads
	// that can reach the monitor; closed after the exited state is
	// written (see signalContainer).
	releaseVolumes, err := useVolumes(s, c.spec.Mounts)
	if err != nil {
		return c.failed(fmt.Errorf("container %s: %w", id[:12], err))
	}
	defer releaseVolumes()

	ctl, err := listenControl(c.dir)
	if err != nil {
		return c.failed(fmt.Errorf("container %s: %w", id[:12], err))
	}
	defer ctl.close()

	fuse, err := rootfs.Mount(c.spec.Init.Rootfs)
	if err != nil {
		return c.failed(fmt.Errorf("container %s: %w", id[:12], err))
	}
	cg, err := newCgroup(id, c.spec.Resources)
	if err != nil {
		fuse.Unmount()
		return c.failed(fmt.Errorf("container %s: %w", id[:12], err))
	}
	c.spec.Init.Cgroups = cgroupMounts(id)
	sig := newRelay()
	defer sig.stop()
	defer lockThread()()
	nc := &netConn{s: s, c: c}
	c.spec.beforeConfig = nc.connect
	p, err := startProcess(&c.spec, cg, st, log)
	if err != nil {
		nc.disconnect()
		deleteCgroup(cg)
		fuse.Unmount()
		return c.failed(err)
	}
	c.state = State{Status: statusRunning, Pid: p.pid(), MonitorPid: os.Getpid(), StartedAt: time.Now().UTC(), Net: nc.state}
	if err := c.writeState(); err != nil {
		// Nobody could see or stop it: end it rather than run it unrecorded.
		p.abort()
		nc.disconnect()
		deleteCgroup(cg)
		fuse.Unmount()
		return 125, err
	}
	sig.to(p.pid())
	ctl.serve(p.signal, p.root)
	if started != nil {
		started()
	}

	code := p.wait()
	c.state.Status, c.state.Pid, c.state.ExitCode = statusExited, 0, code
	c.state.FinishedAt = time.Now().UTC()
	c.state.OOMKilled = cg != nil && cg.OOMKilled()
	c.state.Net = nil
	var errs []error
	if err := nc.release(); err != nil {
		errs = append(errs, err)
	}
	if err := deleteCgroup(cg); err != nil {
		errs = append(errs, err)
	}
	if err := fuse.Unmount(); err != nil {
		errs = append(errs, err)
	}
	if err := c.writeState(); err != nil {
		errs = append(errs, err)
	}
	return code, errors.Join(errs...)
}

// failed records a start failure: the container stays "created" with the
// error, as Docker leaves it, and the error carries its exit status.
func (c *container) failed(err error) (int, error) {
	code := 125
	var ne *ns.Error
	if errors.As(err, &ne) && ne.Code != 0 {
		code = ne.Code
	}
	c.state.Error = err.Error()
	c.state.ExitCode = code
	c.writeState()
	return code, &ExitError{Code: code, Err: err}
}

// report is what the monitor tells `run -d` on its pipe: empty Message
// means the container started.
type report struct {
	Code    int    `json:"code"`
	Message string `json:"message,omitempty"`
}

// Monitor is the detached monitor: `pocket monitor ROOT ID`. It reports the
// start (or its error) on fd 3, then supervises the container with its
// output going to the log only.
func Monitor(args []string) int {
	out := os.NewFile(3, "report")
	syscall.CloseOnExec(3)
	send := func(r report) {
		if out != nil {
			json.NewEncoder(out).Encode(r)
			out.Close()
			out = nil
		}
	}
	fail := func(code int, err error) int {
		send(report{Code: code, Message: err.Error()})
		return code
	}
	if len(args) != 2 {
		return fail(125, fmt.Errorf("usage: pocket %s ROOT ID", MonitorCommand))
	}
	s, err := store.Open(args[0])
	if err != nil {
		return fail(125, err)
	}
	c, err := loadID(s, args[1])
	if err != nil {
		return fail(125, err)
	}
	code, err := supervise(s, c, streams{}, func() { send(report{}) })
	if err != nil {
		var ee *ExitError
		if errors.As(err, &ee) {
			code = ee.Code
		}
		return fail(code, err)
	}
	return code
}
