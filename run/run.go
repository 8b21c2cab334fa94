package run

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"pocket/plan"
	"pocket/store"
	"pocket/trace"
)

// Run creates and starts a container. Attached, it waits and returns the
// container's exit status (0..255); detached, it prints the ID and returns 0.
// An error is pocket's own (status 125, or 126/127 via ExitError).
func Run(ctx context.Context, s *store.Store, o Options) (int, error) {
	// A write to a closed stdout must fail with EPIPE, not kill pocket
	// (Go's default for fd 1 and 2) and leave the container, its cgroup
	// and --rm undone; logWriter passes the EPIPE on to the container.
	// Notify, not Ignore: an ignored signal would stay ignored in the
	// container's command across exec.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	reap()
	trace.Mark("run")
	c, err := parseAndCreate(ctx, s, o)
	if err != nil {
		return 125, err
	}
	trace.Mark("created")
	if o.Detach {
		if err := detach(s, c); err != nil {
			return 125, err
		}
		if o.Stdout != nil {
			fmt.Fprintln(o.Stdout, c.spec.ID)
		}
		return 0, nil
	}
	return supervise(s, c, streams{stdin: o.Stdin, stdout: o.Stdout, stderr: o.Stderr}, nil)
}

// Create is `pocket create`: the container, made and left "created"; it
// returns the ID.
func Create(ctx context.Context, s *store.Store, o Options) (string, error) {
	c, err := parseAndCreate(ctx, s, o)
	if err != nil {
		return "", err
	}
	return c.spec.ID, nil
}

// parseAndCreate plans o and creates its container, with its --cidfile.
func parseAndCreate(ctx context.Context, s *store.Store, o Options) (*container, error) {
	p, err := plan.Parse(o, plan.Probe())
	if err != nil {
		return nil, err
	}
	trace.Mark("planned")
	if o.Stderr != nil {
		for _, w := range p.Warnings {
			fmt.Fprintln(o.Stderr, "WARNING: "+w)
		}
	}
	cid, err := newCIDFile(o.CIDFile)
	if err != nil {
		return nil, err
	}
	c, err := create(ctx, s, p)
	if err != nil {
		cid.write("")
		return nil, err
	}
	if err := cid.write(c.spec.ID); err != nil {
		return nil, err
	}
	return c, nil
}

// detach starts a monitor process in its own session and waits for it to
// report that the container runs, or why it does not.
func detach(s *store.Store, c *container) error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	cmd := exec.Command("/proc/self/exe", MonitorCommand, s.Root(), c.spec.ID)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.ExtraFiles = []*os.File{w}
	if _, set := os.LookupEnv("GOMAXPROCS"); !set {
		// The monitor mostly waits (on its container, its sockets): one
		// P does, and its Go runtime then keeps fewer threads and about
		// 15% less private memory for each detached container. What it
		// starts into the container gets ns.ChildEnv; its helpers
		// (pasta, slirp4netns, iptables) are no Go programs.
		cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	}
	err = cmd.Start()
	w.Close()
	if err != nil {
		err = fmt.Errorf("start monitor: %w", err)
		abandon(s, c, true, err)
		return err
	}
	data, _ := io.ReadAll(r)
	var rep report
	if err := json.Unmarshal(data, &rep); err != nil {
		// It died before saying anything: reap it for its status.
		werr := cmd.Wait()
		err := fmt.Errorf("container %s: monitor exited without a report: %v", c.spec.ID[:12], werr)
		abandon(s, c, c.spec.AutoRemove, err)
		return err
	}
	// The monitor lives on after we exit; it is not ours to wait for.
	cmd.Process.Release()
	if rep.Message != "" {
		return &ExitError{Code: rep.Code, Err: errors.New(rep.Message)}
	}
	return nil
}

// abandon cleans up after a monitor that never took charge of c. With
// remove (--rm, or no monitor at all) the container goes with the
// anonymous volumes made for it, as Docker removes an --rm container
// whose start failed; otherwise it stays "created" with the error.
func abandon(s *store.Store, c *container, remove bool, cause error) {
	if monitorAlive(s, c.spec.ID) {
		return
	}
	if remove {
		anon := anonymousVolumes(s, c.spec.ID)
		if err := removeFiles(s, c.spec.ID); err == nil {
			removeVolumes(s, anon)
		}
		return
	}
	if now, err := loadID(s, c.spec.ID); err == nil && now.state.Status == statusCreated && now.state.Error == "" {
		now.failed(cause)
	}
}
