package run

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/creack/pty"
	"golang.org/x/term"

	"pocket/ns"
	"pocket/store"
)

// Exec runs a command in a running container (`pocket exec`) and returns
// its exit status; with Detach, 0 once it runs. The container's monitor
// starts it (executor); Exec hands it the streams.
//
// The command never gets the client's own descriptors: a host file or
// terminal as stdout could be reopened through /proc/self/fd/1 from the
// container (or, for a terminal, fed keystrokes with TIOCSTI). It gets
// pipes, or with -t a pty of the container's devpts, and Exec copies.
func Exec(s *store.Store, o ExecOptions) (int, error) {
	c, err := load(s, o.Container)
	if err != nil {
		return 125, err
	}
	if c.state.Status != statusRunning {
		return 125, notRunning(c.spec.ID)
	}
	conn, err := dialMonitor(c.dir)
	if errors.Is(err, errNoControl) {
		return 125, notRunning(c.spec.ID)
	}
	if err != nil {
		return 125, err
	}
	defer conn.Close()

	req := &execRequest{
		Args: o.Args, Env: o.Env, User: o.User, Workdir: o.Workdir,
		Tty: o.TTY, Privileged: o.Privileged, Detach: o.Detach,
	}
	st := &execStreams{}
	defer st.close()
	if err := st.open(req, o); err != nil {
		return 125, err
	}
	conn.SetDeadline(time.Now().Add(controlTimeout))
	line, err := json.Marshal(controlRequest{Exec: req})
	if err != nil {
		return 125, err
	}
	if _, _, err := conn.WriteMsgUnix(append(line, '\n'), st.rights(), nil); err != nil {
		return 125, fmt.Errorf("control socket: %w", err)
	}
	st.sent()
	dec := json.NewDecoder(conn)
	if st.console != nil {
		// exec-init sends the pty master before it runs the command; if
		// it fails first, the socket closes and the reply says why.
		if err := st.receiveConsole(o); err != nil {
			if rerr := startReply(dec, c.spec.ID); rerr != nil {
				return 125, rerr
			}
			return 125, err
		}
	}
	if err := startReply(dec, c.spec.ID); err != nil {
		return 125, err
	}
	if o.Detach {
		return 0, nil
	}
	conn.SetDeadline(time.Time{})
	var rep controlReply
	if err := dec.Decode(&rep); err != nil || rep.Exit == nil {
		return 125, fmt.Errorf("container %s: exec: the monitor ended without the command's status", c.spec.ID[:12])
	}
	st.finish()
	return *rep.Exit, nil
}

// startReply reads the monitor's first answer to an exec: nil once the
// command runs.
func startReply(dec *json.Decoder, id string) error {
	var rep controlReply
	if err := dec.Decode(&rep); err != nil {
		return fmt.Errorf("control socket: no reply from the monitor: %w", err)
	}
	switch {
	case rep.NotRunning:
		return notRunning(id)
	case rep.Error != "" && rep.Code != 0:
		return &ExitError{Code: rep.Code, Err: errors.New(rep.Error)}
	case rep.Error != "":
		return errors.New(rep.Error)
	}
	return nil
}

// execStreams are an exec's ends of its stdio on the client's side.
type execStreams struct {
	names   []string
	theirs  []*os.File // sent to the monitor, then closed here
	console *os.File   // -t: our end of the console socket
	ptmx    *os.File
	copies  sync.WaitGroup
	cleanup []func()
}

func (st *execStreams) open(req *execRequest, o ExecOptions) error {
	if o.Detach {
		// With -t the monitor holds the pty: a master closed with this
		// client would hang the command up.
		return nil
	}
	if o.TTY {
		ours, theirs, err := consoleSocket()
		if err != nil {
			return err
		}
		st.console = ours
		st.add("console", theirs)
		req.Files = st.names
		return nil
	}
	if o.Interactive && o.Stdin != nil {
		r, w, err := os.Pipe()
		if err != nil {
			return err
		}
		st.add("stdin", r)
		// Never waited for: reading the user's stdin may block forever.
		go func() {
			io.Copy(w, o.Stdin)
			w.Close()
		}()
	}
	for _, out := range []struct {
		name string
		to   *os.File
	}{{"stdout", o.Stdout}, {"stderr", o.Stderr}} {
		if out.to == nil {
			continue
		}
		r, w, err := os.Pipe()
		if err != nil {
			return err
		}
		st.add(out.name, w)
		st.copies.Add(1)
		go func() {
			defer st.copies.Done()
			io.Copy(out.to, r)
			r.Close()
		}()
	}
	req.Files = st.names
	return nil
}

func (st *execStreams) add(name string, f *os.File) {
	st.names = append(st.names, name)
	st.theirs = append(st.theirs, f)
}

// rights is the SCM_RIGHTS message carrying the command's ends.
func (st *execStreams) rights() []byte {
	if len(st.theirs) == 0 {
		return nil
	}
	fds := make([]int, len(st.theirs))
	for i, f := range st.theirs {
		fds[i] = int(f.Fd())
	}
	return syscall.UnixRights(fds...)
}

// sent drops our copies of the command's ends, so that its output ends
// when it (and whatever it started) closes them.
func (st *execStreams) sent() {
	for _, f := range st.theirs {
		f.Close()
	}
	st.theirs = nil
}

// receiveConsole takes the pty master exec-init sends, sizes it as the
// user's terminal (and keeps it so), makes that terminal raw for -i,
// starts copying and lets exec-init go on.
func (st *execStreams) receiveConsole(o ExecOptions) error {
	ptmx, err := ns.ReceiveConsole(st.console)
	if err != nil {
		return err
	}
	st.ptmx = ptmx
	if in := o.Stdin; in != nil && term.IsTerminal(int(in.Fd())) {
		pty.InheritSize(in, ptmx)
		winch := make(chan os.Signal, 1)
		signal.Notify(winch, syscall.SIGWINCH)
		go func() {
			for range winch {
				pty.InheritSize(in, ptmx)
			}
		}()
		st.cleanup = append(st.cleanup, func() { signal.Stop(winch); close(winch) })
		if o.Interactive {
			if old, err := term.MakeRaw(int(in.Fd())); err == nil {
				st.cleanup = append(st.cleanup, func() { term.Restore(int(in.Fd()), old) })
			}
		}
	}
	if o.Interactive && o.Stdin != nil {
		go io.Copy(ptmx, o.Stdin)
	}
	if o.Stdout != nil && !o.Detach {
		st.copies.Add(1)
		go func() {
			defer st.copies.Done()
			// Ends with EIO once the last holder of the slave is gone.
			io.Copy(o.Stdout, ptmx)
		}()
	}
	if _, err := st.console.Write([]byte{0}); err != nil {
		return os.NewSyscallError("console go-ahead", err)
	}
	return nil
}

// finish waits, for a while, for the output the command wrote last.
func (st *execStreams) finish() {
	done := make(chan struct{})
	go func() {
		st.copies.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(execWait):
	}
}

func (st *execStreams) close() {
	for _, f := range st.theirs {
		f.Close()
	}
	if st.console != nil {
		st.console.Close()
	}
	if st.ptmx != nil {
		st.ptmx.Close()
	}
	for i := len(st.cleanup) - 1; i >= 0; i-- {
		st.cleanup[i]()
	}
}
