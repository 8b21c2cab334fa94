package run

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/creack/pty"
)

// A detached container's monitor holds its stdio (there is no daemon to
// hold it) and serves `pocket attach` on a second unix socket in the
// container directory, attachFile: a client sends one JSON line
// (attachHello), then its stdin bytes if it asked for stdin; the monitor
// sends the container's output as frames, a stream byte (1 stdout, 2
// stderr, as Docker's stdcopy) and a big-endian uint32 length before the
// bytes, and closes the connection when the container's run ends.
const attachFile = "attach.sock"

// attachHello is the first line an attach client sends.
type attachHello struct {
	Stdin bool `json:"stdin"`
	// Size is the client's terminal size, for a -t container's pty, as
	// Docker's attach resizes it: sent on attaching and on each SIGWINCH.
	Size *pty.Winsize `json:"size,omitempty"`
	// Resize says the connection carries Size only (a SIGWINCH), and is
	// no attachment.
	Resize bool `json:"resize,omitempty"`
}

// Output streams in attach frames.
const (
	frameStdout = 1
	frameStderr = 2
)

// clientWriteTimeout bounds one write to one attach client: a client that
// does not read is dropped rather than allowed to stall the container.
const clientWriteTimeout = time.Second

// attachHub is the monitor's side of attach.
type attachHub struct {
	ln     *net.UnixListener
	path   string
	stdinW *os.File // the container's stdin, with -i; nil otherwise
	stdinR *os.File // its read end, which each run gets as fd 0

	mu      sync.Mutex
	clients map[*net.UnixConn]bool
	// ptmx is the running -t container's pty master (nil between runs);
	// size the last size a client asked for, given to each run's pty.
	ptmx *os.File
	size *pty.Winsize
}

// listenAttach creates the attach socket (mode 0600) and returns the
// streams a detached container runs with: its output to the attached
// clients (and, through logWriter, the log), its stdin from them when it
// was created with -i.
func listenAttach(dir string, openStdin bool) (*attachHub, streams, error) {
	path := filepath.Join(dir, attachFile)
	os.Remove(path)
	addr, done, err := socketAddrOf(dir, attachFile)
	if err != nil {
		return nil, streams{}, fmt.Errorf("attach socket %s: %w", path, err)
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: addr, Net: "unix"})
	done()
	if err != nil {
		return nil, streams{}, fmt.Errorf("attach socket %s: %w", path, err)
	}
	ln.SetUnlinkOnClose(false)
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		os.Remove(path)
		return nil, streams{}, fmt.Errorf("attach socket %s: %w", path, err)
	}
	h := &attachHub{ln: ln, path: path, clients: map[*net.UnixConn]bool{}}
	st := streams{stdout: hubWriter{h, frameStdout}, stderr: hubWriter{h, frameStderr}, ended: h.endRun, console: h.setConsole}
	if openStdin {
		// A pipe, not a reader: the container gets its read end as its
		// own fd 0, and keeps it open (as Docker's -d -i) whether or not
		// anyone is attached.
		r, w, err := os.Pipe()
		if err != nil {
			h.close()
			return nil, streams{}, err
		}
		h.stdinW, h.stdinR = w, r
		st.stdin = r
	}
	go h.serve()
	return h, st, nil
}

func (h *attachHub) serve() {
	for {
		conn, err := h.ln.AcceptUnix()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		go h.handle(conn)
	}
}

func (h *attachHub) handle(conn *net.UnixConn) {
	if !samePeer(conn) {
		conn.Close()
		return
	}
	r := bufio.NewReader(conn)
	conn.SetReadDeadline(time.Now().Add(controlTimeout))
	line, err := r.ReadBytes('\n')
	var hello attachHello
	if err != nil || json.Unmarshal(line, &hello) != nil {
		conn.Close()
		return
	}
	conn.SetReadDeadline(time.Time{})
	if hello.Size != nil {
		h.resize(*hello.Size)
	}
	if hello.Resize {
		conn.Close()
		return
	}
	h.mu.Lock()
	if h.clients == nil { // closed meanwhile
		h.mu.Unlock()
		conn.Close()
		return
	}
	h.clients[conn] = true
	h.mu.Unlock()
	if hello.Stdin && h.stdinW != nil {
		// Ends when the client goes; the container's stdin stays open.
		io.Copy(h.stdinW, r)
	}
}

// setConsole is told each run's pty master, and nil before it is closed:
// under h.mu, so that resize never reaches a closed (and maybe reused)
// descriptor.
func (h *attachHub) setConsole(ptmx *os.File) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ptmx = ptmx
	if ptmx != nil && h.size != nil {
		pty.Setsize(ptmx, h.size)
	}
}

// resize gives the container's pty a client's terminal size, now if it
// runs and to its next run's pty anyway. A failure is not the client's to
// see (Docker's attach ignores it too).
func (h *attachHub) resize(ws pty.Winsize) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.size = &ws
	if h.ptmx != nil {
		pty.Setsize(h.ptmx, &ws)
	}
}

// hubWriter writes one stream to every attached client; it never fails,
// so that logWriter always keeps writing the log.
type hubWriter struct {
	h      *attachHub
	stream byte
}

func (w hubWriter) Write(p []byte) (int, error) {
	h := w.h
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.clients) == 0 {
		return len(p), nil
	}
	frame := make([]byte, 5+len(p))
	frame[0] = w.stream
	binary.BigEndian.PutUint32(frame[1:5], uint32(len(p)))
	copy(frame[5:], p)
	for c := range h.clients {
		c.SetWriteDeadline(time.Now().Add(clientWriteTimeout))
		if _, err := c.Write(frame); err != nil {
			c.Close()
			delete(h.clients, c)
		}
	}
	return len(p), nil
}

// endRun ends every attachment once a run of the container has ended
// and its state is written: the clients then read the exit status.
func (h *attachHub) endRun() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.clients {
		c.Close()
		delete(h.clients, c)
	}
}

// close stops serving and removes the socket. A nil hub is closed.
func (h *attachHub) close() {
	if h == nil {
		return
	}
	h.ln.Close()
	os.Remove(h.path)
	h.endRun()
	h.mu.Lock()
	h.clients = nil
	h.mu.Unlock()
	if h.stdinW != nil {
		h.stdinW.Close()
		h.stdinR.Close()
	}
}
