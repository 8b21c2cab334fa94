package run

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/creack/pty"
	"golang.org/x/term"
)

// streams is where a container's stdio goes besides its log: the user's
// for an attached run, nowhere for a detached one.
type streams struct {
	stdin          io.Reader // used only with -i
	stdout, stderr io.Writer
}

// jsonLog is a container.log in Docker's json-file format, one object a line.
type jsonLog struct {
	mu sync.Mutex
	w  io.Writer
}

type logEntry struct {
	Log    string    `json:"log"`
	Stream string    `json:"stream"`
	Time   time.Time `json:"time"`
}

func (l *jsonLog) write(stream string, p []byte) {
	data, _ := json.Marshal(logEntry{Log: string(p), Stream: stream, Time: time.Now().UTC()})
	l.mu.Lock()
	defer l.mu.Unlock()
	l.w.Write(append(data, '\n'))
}

// maxLogLine is where a line without a newline is cut into entries, as
// Docker's json-file driver does.
const maxLogLine = 16 * 1024

// logWriter copies a stream to the user (when attached) and, line by line,
// to the log.
type logWriter struct {
	out    io.Writer
	log    *jsonLog
	stream string
	buf    []byte
}

func (w *logWriter) Write(p []byte) (int, error) {
	if w.out != nil {
		// A user who closed their end must not stop the log or the container.
		if _, err := w.out.Write(p); err != nil {
			w.out = nil
		}
	}
	w.buf = append(w.buf, p...)
	for {
		i := -1
		for j, b := range w.buf {
			if b == '\n' {
				i = j
				break
			}
		}
		if i < 0 {
			break
		}
		w.log.write(w.stream, w.buf[:i+1])
		w.buf = w.buf[i+1:]
	}
	if len(w.buf) >= maxLogLine {
		w.flush()
	}
	return len(p), nil
}

func (w *logWriter) flush() {
	if len(w.buf) > 0 {
		w.log.write(w.stream, w.buf)
		w.buf = nil
	}
}

// attachment wires a container's stdio: pipes, or a pty with -t.
type attachment struct {
	stdout, stderr *logWriter
	ptmx, tty      *os.File
	copied         sync.WaitGroup
	cleanup        []func()
}

// attach sets cmd's stdio for the container. With tty, a new pty's slave
// becomes the controlling terminal of the container's session, and the
// user's terminal (if stdin is one) goes raw for an interactive run and
// follows its size.
func attach(cmd *exec.Cmd, sp *spec, st streams, log *jsonLog) (*attachment, error) {
	a := &attachment{
		stdout: &logWriter{out: st.stdout, log: log, stream: "stdout"},
		stderr: &logWriter{out: st.stderr, log: log, stream: "stderr"},
	}
	if !sp.Tty {
		cmd.Stdout, cmd.Stderr = a.stdout, a.stderr
		if sp.OpenStdin && st.stdin != nil {
			cmd.Stdin = st.stdin
		}
		return a, nil
	}
	ptmx, tty, err := pty.Open()
	if err != nil {
		return nil, err
	}
	a.ptmx, a.tty = ptmx, tty
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr.Setsid = true
	cmd.SysProcAttr.Setctty = true
	cmd.SysProcAttr.Ctty = 0
	if in, ok := st.stdin.(*os.File); ok && term.IsTerminal(int(in.Fd())) {
		pty.InheritSize(in, ptmx)
		winch := make(chan os.Signal, 1)
		signal.Notify(winch, syscall.SIGWINCH)
		go func() {
			for range winch {
				pty.InheritSize(in, ptmx)
			}
		}()
		a.cleanup = append(a.cleanup, func() { signal.Stop(winch); close(winch) })
		if sp.OpenStdin {
			if old, err := term.MakeRaw(int(in.Fd())); err == nil {
				a.cleanup = append(a.cleanup, func() { term.Restore(int(in.Fd()), old) })
			}
		}
	}
	if sp.OpenStdin && st.stdin != nil {
		// Never waited for: reading the user's stdin may block forever.
		go io.Copy(ptmx, st.stdin)
	}
	a.copied.Add(1)
	go func() {
		defer a.copied.Done()
		// Ends with EIO once the last holder of the slave is gone.
		io.Copy(a.stdout, ptmx)
	}()
	return a, nil
}

// started drops the parent's copy of the pty slave, so that reading the
// master ends when the container is gone.
func (a *attachment) started() {
	if a.tty != nil {
		a.tty.Close()
	}
}

// close waits for the output, writes the log's last partial lines and
// restores the user's terminal.
func (a *attachment) close() {
	if a.tty != nil {
		a.tty.Close()
	}
	a.copied.Wait()
	if a.ptmx != nil {
		a.ptmx.Close()
	}
	a.stdout.flush()
	a.stderr.flush()
	for i := len(a.cleanup) - 1; i >= 0; i-- {
		a.cleanup[i]()
	}
}

// relay passes signals to the container's PID 1. It listens from before
// the container starts, so an early signal reaches the container instead
// of killing pocket and orphaning it.
type relay struct {
	ch   chan os.Signal
	done chan struct{}
}

func newRelay() *relay {
	r := &relay{ch: make(chan os.Signal, 32), done: make(chan struct{})}
	signal.Notify(r.ch, forwarded...)
	return r
}

// to starts forwarding to pid, signals received so far included.
func (r *relay) to(pid int) {
	go func() {
		for {
			select {
			case sig := <-r.ch:
				syscall.Kill(pid, sig.(syscall.Signal))
			case <-r.done:
				return
			}
		}
	}()
}

func (r *relay) stop() {
	signal.Stop(r.ch)
	close(r.done)
}
