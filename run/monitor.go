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
	"pocket/trace"
)

// supervise runs a created container to its end: pocket's attached run
// and the detached monitor both do it, as the container's only monitor,
// and run it again as its restart policy says for as long as they live.
// It holds the container's monitor lock throughout, which is how other
// commands know the container is alive. started is called once the
// container's command first runs. With --rm the container is removed at
// the end.
func supervise(s *store.Store, c *container, st streams, started func()) (int, error) {
	// Tried, not waited for: a second start of a running container must
	// not run it again once the first run ends.
	unlock, ok, err := s.TryLock(monitorLock(c.spec.ID))
	if err != nil {
		return 125, err
	}
	if !ok {
		return 125, errAlreadyRunning
	}
	defer unlock()
	if err := s.MarkRunning(c.spec.ID); err != nil {
		return c.failed(err)
	}
	defer s.UnmarkRunning(c.spec.ID)
	// Listening before the state says "running", so that whoever reads
	// that can reach the monitor; closed after the exited state is
	// written (see signalContainer).
	ctl, err := listenControl(c.dir)
	if err != nil {
		return c.failed(fmt.Errorf("container %s: %w", c.spec.ID[:12], err))
	}
	defer ctl.close()
	if st.detached {
		hub, hst, err := listenAttach(c.dir, c.spec.OpenStdin)
		if err != nil {
			return c.failed(fmt.Errorf("container %s: %w", c.spec.ID[:12], err))
		}
		defer hub.close()
		st = hst
	}
	trace.Mark("monitor ready")
	// A start by hand begins the count again, as Docker's.
	c.state.RestartCount = 0
	var back backoff
	code, err := 0, error(nil)
	for {
		code, err = c.runOnce(s, ctl, st, started)
		started = nil
		if st.ended != nil {
			st.ended()
		}
		if err != nil || ctl.isStopped() || !c.restartPolicy().again(code, c.state.RestartCount) {
			break
		}
		c.state.Status = statusRestarting
		if werr := c.writeState(); werr != nil {
			err = werr
			break
		}
		select {
		case <-ctl.stopped:
		case <-time.After(back.next(c.state.FinishedAt.Sub(c.state.StartedAt))):
		}
		if ctl.isStopped() {
			c.state.Status, c.state.ManuallyStopped = statusExited, ctl.manuallyStopped()
			err = c.writeState()
			break
		}
		c.state.RestartCount++
	}
	if c.spec.AutoRemove {
		anon := anonymousVolumes(s, c.spec.ID)
		if rerr := removeFiles(s, c.spec.ID); rerr != nil && err == nil {
			err = rerr
		}
		if rerr := removeVolumes(s, anon); rerr != nil && err == nil {
			err = rerr
		}
		trace.Mark("removed")
	}
	return code, err
}

// runOnce starts the container, waits for it and records the outcome.
func (c *container) runOnce(s *store.Store, ctl *controlServer, st streams, started func()) (int, error) {
	id := c.spec.ID
	f, err := os.OpenFile(filepath.Join(c.dir, logFile), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return 125, err
	}
	defer f.Close()
	log := &jsonLog{w: f}

	releaseVolumes, err := useVolumes(s, c.spec.Mounts)
	if err != nil {
		return c.failed(fmt.Errorf("container %s: %w", id[:12], err))
	}
	defer releaseVolumes()

	fuse, err := rootfs.Mount(c.spec.Init.Rootfs)
	if err != nil {
		return c.failed(fmt.Errorf("container %s: %w", id[:12], err))
	}
	trace.Mark("volumes and fuse")
	cg, err := newCgroup(id, c.spec.Resources)
	if err != nil {
		fuse.Unmount()
		return c.failed(fmt.Errorf("container %s: %w", id[:12], err))
	}
	trace.Mark("cgroup made")
	c.spec.Init.Cgroups = cgroupMounts(id)
	if c.spec.joins, err = openJoins(s, c.spec.Join); err != nil {
		deleteCgroup(cg)
		fuse.Unmount()
		return c.failed(err)
	}
	defer closeJoins(c.spec.joins)
	unmountShm, err := mountShm(s, &c.spec)
	if err != nil {
		deleteCgroup(cg)
		fuse.Unmount()
		return c.failed(err)
	}
	defer unmountShm()
	sig := newRelay()
	defer sig.stop()
	defer lockThread()()
	nc := &netConn{s: s, c: c}
	c.spec.beforeConfig = nc.connect
	c.spec.initCache = s.InitDir()
	p, err := startProcess(&c.spec, cg, st, log)
	if err != nil {
		nc.disconnect()
		deleteCgroup(cg)
		fuse.Unmount()
		return c.failed(err)
	}
	c.state = State{Status: statusRunning, Pid: p.pid(), MonitorPid: os.Getpid(), StartedAt: time.Now().UTC(), Net: nc.state,
		RestartCount: c.state.RestartCount}
	trace.Mark("started")
	if err := c.writeState(); err != nil {
		// Nobody could see or stop it: end it rather than run it unrecorded.
		p.abort()
		nc.disconnect()
		deleteCgroup(cg)
		fuse.Unmount()
		return 125, err
	}
	sig.to(p.pid(), ctl.stopFromHost)
	x := newExecutor(&c.spec, cg, p.pid())
	ctl.serve(controlHandlers{signal: p.signal, exec: x.serveExec, procs: x.procs, root: p.root})
	if ctl.isStopped() {
		// Stopped while it was starting again: a stop between runs ends
		// the run it finds starting, as Docker kills a restarting one.
		p.signal(syscall.SIGKILL)
	}
	stopHealth, waitHealth := startHealth(c.dir, c.spec.Healthcheck, x.probe, c.state.StartedAt)
	if started != nil {
		started()
	}

	trace.Mark("state running")
	code := p.wait()
	trace.Mark("exited")
	ctl.serve(controlHandlers{})
	stopHealth()
	x.shutdown()
	waitHealth()
	c.state.Status, c.state.Pid, c.state.ExitCode = statusExited, 0, code
	c.state.FinishedAt = time.Now().UTC()
	c.state.OOMKilled = cg != nil && cg.OOMKilled()
	c.state.Net = nil
	c.state.ManuallyStopped = ctl.manuallyStopped()
	var errs []error
	if err := nc.release(); err != nil {
		errs = append(errs, err)
	}
	trace.Mark("network released")
	if err := deleteCgroup(cg); err != nil {
		errs = append(errs, err)
	}
	trace.Mark("cgroup deleted")
	if err := fuse.Unmount(); err != nil {
		errs = append(errs, err)
	}
	if err := c.writeState(); err != nil {
		errs = append(errs, err)
	}
	trace.Mark("state exited")
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
	if c.state.Status == statusRestarting {
		// A restart that could not start ends the restarts.
		c.state.Status = statusExited
	}
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
	code, err := supervise(s, c, streams{detached: true}, func() { send(report{}) })
	if errors.Is(err, errAlreadyRunning) {
		// Started by another pocket meanwhile: started, as asked.
		send(report{})
		return 0
	}
	if err != nil {
		var ee *ExitError
		if errors.As(err, &ee) {
			code = ee.Code
		}
		return fail(code, err)
	}
	return code
}
