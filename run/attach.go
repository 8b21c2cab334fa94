package run

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"golang.org/x/term"
)

// streams is where a container's stdio goes besides its log: the user's
// for an attached run, nowhere for a detached one.
type streams struct {
	stdin          io.Reader // used only with -i
	stdout, stderr io.Writer
	// ended, if set, is called after each run of the container, once
	// its state is written (see attachHub).
	ended func()
	// detached asks supervise for a detached monitor's streams: the
	// attach socket's (see listenAttach).
	detached bool
	// console, if set, is told the pty master of each -t run once it is
	// received, and nil before it is closed (attachHub resizes it).
	console func(ptmx *os.File)
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
	var gone error
	if w.out != nil {
		// A user who cannot take more output must not stop the log.
		if _, err := w.out.Write(p); err != nil {
			w.out = nil
			// But a user who closed their end, as head does in
			// `pocket run busybox yes | head -1`, closes the
			// container's: returning the error makes exec close the
			// pipe, so the container's next write fails (SIGPIPE) as it
			// would on the user's pipe, instead of running on unread.
			if errors.Is(err, syscall.EPIPE) {
				gone = err
			}
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
	if gone != nil {
		w.flush()
		return len(p), gone
	}
	return len(p), nil
}

func (w *logWriter) flush() {
	if len(w.buf) > 0 {
		w.log.write(w.stream, w.buf)
		w.buf = nil
	}
}

// attachment wires a container's stdio: pipes, or with -t the pty that
// init makes inside the container and sends back (console_linux.go).
type attachment struct {
	stdout, stderr *logWriter
	in             io.Reader      // the user's stdin, with -i
	userTTY        *os.File       // -t: the user's terminal, if stdin is one
	sock, peer     *os.File       // -t: the console socket, our end and init's
	ptmx           *os.File       // -t: the pty master, once received
	onConsole      func(*os.File) // streams.console
	copied         sync.WaitGroup
	cleanup        []func()
}

// attach sets cmd's stdio for the container. With tty, init gets a console
// socket instead (ns.ConsoleFD) and makes its own terminal.
func attach(cmd *exec.Cmd, sp *spec, st streams, log *jsonLog) (*attachment, error) {
	a := &attachment{
		stdout:    &logWriter{out: st.stdout, log: log, stream: "stdout"},
		stderr:    &logWriter{out: st.stderr, log: log, stream: "stderr"},
		onConsole: st.console,
	}
	if sp.OpenStdin {
		a.in = st.stdin
	}
	if !sp.Tty {
		cmd.Stdout, cmd.Stderr = a.stdout, a.stderr
		if a.in != nil {
			cmd.Stdin = a.in
		}
		return a, nil
	}
	if in, ok := st.stdin.(*os.File); ok && term.IsTerminal(int(in.Fd())) {
		a.userTTY = in
	}
	sock, peer, err := consoleSocket()
	if err != nil {
		return nil, err
	}
	a.sock, a.peer = sock, peer
	cmd.ExtraFiles = append(cmd.ExtraFiles, peer) // ns.ConsoleFD
	return a, nil
}

// started drops the parent's copy of init's end of the console socket, so
// that receiving ends if init dies before it sends the terminal.
func (a *attachment) started() {
	if a.peer != nil {
		a.peer.Close()
	}
}

// close waits for the output, writes the log's last partial lines and
// restores the user's terminal.
func (a *attachment) close() {
	if a.peer != nil {
		a.peer.Close()
	}
	if a.sock != nil {
		a.sock.Close()
	}
	a.copied.Wait()
	if a.ptmx != nil {
		if a.onConsole != nil {
			a.onConsole(nil)
		}
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

// to starts forwarding to pid, signals received so far included. A
// SIGINT or SIGTERM to pocket itself (the user's ctrl-c on an attached
// run, systemd stopping a `start -a` unit) calls stop first: it ends the
// restart policy, as a stop by hand.
func (r *relay) to(pid int, stop func()) {
	go func() {
		for {
			select {
			case sig := <-r.ch:
				if sig == syscall.SIGINT || sig == syscall.SIGTERM {
					stop()
				}
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
