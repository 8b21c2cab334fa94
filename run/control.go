package run

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"pocket/store"
)

// A container's monitor serves a unix socket in the container directory
// (controlFile) for as long as it supervises the container; stop, kill
// and rm -f ask it to signal the container's PID 1 rather than signalling
// it themselves. Rootless pocket needs this: every pocket command runs in
// a user namespace of its own, and from there a process of the user's
// host uid may not signal a container process that runs as one of the
// user's subordinate ids (-u 1000). The monitor shares the container's
// namespace, where it is root, and it is the process that reaps the
// container, so it signals through a pidfd that cannot hit a reused pid.

// controlRequest is one line a client sends: a signal for PID 1 (0 for
// none), or a process to start in the container (exec.go), whose
// descriptors come with the line as SCM_RIGHTS, or a question for the
// container's pids (top), or for its root directory (`pocket cp`), which
// comes back as a descriptor (SCM_RIGHTS) with the reply. Stop also ends
// the restart policy (pocket stop, and kill as Docker's), which the
// monitor must know before the container exits.
//
// Rootless pocket needs the monitor for the root too: the container's
// process is not dumpable (its exec gained capabilities), and
// /proc/PID/root then opens only for a process with CAP_SYS_PTRACE in
// the container's user namespace, which the monitor is root in and a
// pocket command, in a namespace of its own, is not.
type controlRequest struct {
	Signal int          `json:"signal,omitempty"`
	Stop   bool         `json:"stop,omitempty"`
	Exec   *execRequest `json:"exec,omitempty"`
	Procs  bool         `json:"procs,omitempty"` // the container's pids (top)
	Root   bool         `json:"root,omitempty"`  // the container's root directory (cp)
}

// controlReply is the monitor's answer: empty means delivered. An exec
// gets two: Pid once its command runs, then Exit.
type controlReply struct {
	Error      string `json:"error,omitempty"`
	Code       int    `json:"code,omitempty"` // Error's exit status: 126, 127
	NotRunning bool   `json:"notRunning,omitempty"`
	Pid        int    `json:"pid,omitempty"`
	Exit       *int   `json:"exit,omitempty"`
	Pids       []int  `json:"pids,omitempty"`
}

// maxRequest bounds a request line (an exec's command and environment).
const maxRequest = 1 << 20

// maxSocketPath is sun_path's 108 bytes less the terminating NUL.
const maxSocketPath = 107

// controlTimeout bounds one exchange, so that a wedged monitor cannot hang
// stop or kill forever.
const controlTimeout = 30 * time.Second

// errNoControl means the container has no control socket to talk to: it
// was started by a pocket without one, or its monitor is gone.
var errNoControl = errors.New("no control socket")

// socketAddr is an address for the control socket in dir that fits
// sun_path: the path itself, or, for a long store root,
// /proc/self/fd/N/control.sock through an open descriptor of dir. The
// caller calls done once it has bound or connected.
func socketAddr(dir string) (addr string, done func(), err error) {
	return socketAddrOf(dir, controlFile)
}

// socketAddrOf is socketAddr for the socket file name in dir.
func socketAddrOf(dir, name string) (addr string, done func(), err error) {
	p := filepath.Join(dir, name)
	if len(p) <= maxSocketPath {
		return p, func() {}, nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return "", nil, err
	}
	return fmt.Sprintf("/proc/self/fd/%d/%s", d.Fd(), name), func() { d.Close() }, nil
}

// controlServer is a monitor's side of the control socket. It outlives
// each run of the container (restart policies): between runs there is no
// process to signal, and a stop request ends the restarts.
type controlServer struct {
	ln   *net.UnixListener
	path string

	mu      sync.Mutex
	h       controlHandlers // the current run's; zero between runs
	serving bool
	stopped chan struct{} // closed by the first stop request
	// fromHost: that first stop was a SIGINT or SIGTERM to the monitor
	// itself, not a stop by hand (see stopFromHost).
	fromHost bool
	// busy counts requests being answered, so that close lets a reply
	// out before the monitor exits: a KILL ends the container at once,
	// and the monitor's exit must not cut the answer saying it was sent.
	busy sync.WaitGroup
}

// listenControl creates the control socket in dir (mode 0600), replacing
// one a killed monitor left behind. Requests wait in the backlog until
// serve.
func listenControl(dir string) (*controlServer, error) {
	path := filepath.Join(dir, controlFile)
	os.Remove(path)
	addr, done, err := socketAddr(dir)
	if err != nil {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: addr, Net: "unix"})
	done()
	if err != nil {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	// Removed by close, by its real name: the /proc address dies with done.
	ln.SetUnlinkOnClose(false)
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		os.Remove(path)
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	return &controlServer{ln: ln, path: path, stopped: make(chan struct{})}, nil
}

// controlHandlers are what a monitor does for its clients during one
// run: signal delivers a signal to PID 1 (os.ErrProcessDone once the
// container has been reaped); exec, nil before the container runs,
// starts a process in it with the descriptors that came with the request
// and answers itself; procs lists the container's processes (rootless, a
// client in a user namespace of its own may not read their /proc/PID/ns).
type controlHandlers struct {
	signal func(syscall.Signal) error
	exec   func(req *execRequest, files []*os.File, reply func(controlReply))
	procs  func() ([]int, error)
	root   func() (*os.File, error)
}

// serve makes h the current run's handlers; the first call starts
// answering requests (until then they wait in the backlog), until close.
// Zero handlers are the time between two runs.
func (s *controlServer) serve(h controlHandlers) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.h = h
	if s.serving {
		return
	}
	s.serving = true
	go func() {
		for {
			conn, err := s.ln.AcceptUnix()
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if err != nil {
				// EMFILE and the like: let the client's retry or timeout tell.
				time.Sleep(10 * time.Millisecond)
				continue
			}
			s.busy.Add(1)
			go func() {
				defer s.busy.Done()
				s.handle(conn)
			}()
		}
	}()
}

func (s *controlServer) handlers() controlHandlers {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.h
}

func (s *controlServer) handle(conn *net.UnixConn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(controlTimeout))
	reply := func(r controlReply) { json.NewEncoder(conn).Encode(r) }
	// The socket's mode already keeps other users out; the peer's
	// credentials say so again (a rootless client, in a user namespace of
	// its own, shows here as the same uid 0 as this monitor).
	if !samePeer(conn) {
		reply(controlReply{Error: "permission denied"})
		return
	}
	req, files, err := readRequest(conn)
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	if err != nil {
		reply(controlReply{Error: "bad request: " + err.Error()})
		return
	}
	h := s.handlers()
	if req.Exec != nil {
		if h.exec == nil {
			reply(controlReply{NotRunning: true})
			return
		}
		// The command may run for as long as it likes.
		conn.SetDeadline(time.Time{})
		h.exec(req.Exec, files, reply)
		return
	}
	if req.Procs {
		if h.procs == nil {
			reply(controlReply{NotRunning: true})
			return
		}
		pids, err := h.procs()
		if err != nil {
			reply(controlReply{Error: err.Error()})
			return
		}
		reply(controlReply{Pids: pids})
		return
	}
	if req.Root {
		if h.root == nil {
			reply(controlReply{NotRunning: true})
			return
		}
		sendRoot(conn, h.root)
		return
	}
	if req.Signal < 0 || req.Signal > 64 || req.Signal == 0 && !req.Stop {
		reply(controlReply{Error: fmt.Sprintf("%v: %d", ErrBadSignal, req.Signal)})
		return
	}
	switch err := s.deliver(req, h.signal); {
	case err == nil:
		reply(controlReply{})
	case errors.Is(err, os.ErrProcessDone), errors.Is(err, syscall.ESRCH):
		reply(controlReply{NotRunning: true})
	default:
		reply(controlReply{Error: err.Error()})
	}
}

// deliver passes a signal request on to the current run's target.
func (s *controlServer) deliver(req *controlRequest, target func(syscall.Signal) error) error {
	if req.Stop {
		s.mu.Lock()
		select {
		case <-s.stopped:
		default:
			close(s.stopped)
		}
		s.mu.Unlock()
	}
	if req.Signal == 0 {
		return nil
	}
	if target == nil {
		return os.ErrProcessDone
	}
	return target(syscall.Signal(req.Signal))
}

// stopFromHost ends the restarts as a stop does, for a SIGINT or SIGTERM
// to the monitor itself: a ctrl-c on an attached run, or systemd ending
// every process at shutdown. Docker does not count its own shutdown as a
// stop by hand, so neither is this one (manuallyStopped): an
// unless-stopped container comes back with `start --boot`.
func (s *controlServer) stopFromHost() {
	s.mu.Lock()
	if !s.isStopped() {
		s.fromHost = true
	}
	s.mu.Unlock()
	s.deliver(&controlRequest{Stop: true}, nil)
}

// manuallyStopped reports whether a stop by hand was asked for (Docker's
// HasBeenManuallyStopped).
func (s *controlServer) manuallyStopped() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.isStopped() && !s.fromHost
}

// isStopped reports whether a stop was asked for.
func (s *controlServer) isStopped() bool {
	select {
	case <-s.stopped:
		return true
	default:
		return false
	}
}

// readRequest reads one request line and the descriptors sent with it
// (close-on-exec: Go receives with MSG_CMSG_CLOEXEC).
func readRequest(conn *net.UnixConn) (*controlRequest, []*os.File, error) {
	var files []*os.File
	buf := make([]byte, 0, 4096)
	oob := make([]byte, syscall.CmsgSpace(4*maxFiles))
	for !bytes.Contains(buf, []byte{'\n'}) {
		if len(buf) == cap(buf) {
			if len(buf) >= maxRequest {
				return nil, files, errors.New("request too long")
			}
			buf = append(buf, make([]byte, len(buf))...)[:len(buf)]
		}
		n, oobn, _, _, err := conn.ReadMsgUnix(buf[len(buf):cap(buf)], oob)
		if oobn > 0 {
			got, perr := parseRights(oob[:oobn])
			files = append(files, got...)
			if perr != nil {
				return nil, files, perr
			}
		}
		buf = buf[:len(buf)+n]
		if err != nil {
			return nil, files, err
		}
		if n == 0 {
			return nil, files, io.ErrUnexpectedEOF
		}
	}
	var req controlRequest
	if err := json.Unmarshal(buf, &req); err != nil {
		return nil, files, err
	}
	return &req, files, nil
}

// maxFiles is the most descriptors a request carries: stdin, stdout,
// stderr, a console socket.
const maxFiles = 4

func parseRights(oob []byte) ([]*os.File, error) {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, err
	}
	var files []*os.File
	for i := range msgs {
		fds, err := syscall.ParseUnixRights(&msgs[i])
		if err != nil {
			return files, err
		}
		for _, fd := range fds {
			files = append(files, os.NewFile(uintptr(fd), "received"))
		}
	}
	return files, nil
}

// close stops serving and removes the socket. A nil server is closed.
func (s *controlServer) close() {
	if s == nil {
		return
	}
	s.ln.Close()
	os.Remove(s.path)
	// Replies in flight go out; a handler that hangs (a client that does
	// not read) cannot hold the monitor for longer than closeWait.
	done := make(chan struct{})
	go func() {
		s.busy.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(closeWait):
	}
}

// closeWait bounds how long a closing monitor waits for its replies.
const closeWait = 2 * time.Second

// signalContainer sends sig to c's PID 1 through its monitor. Without a
// control socket (a container started by an older pocket) it signals the
// process directly while the monitor lock shows it alive.
func signalContainer(s *store.Store, c *container, sig syscall.Signal) error {
	return requestContainer(s, c, controlRequest{Signal: int(sig)})
}

// requestContainer is signalContainer for any request.
func requestContainer(s *store.Store, c *container, req controlRequest) error {
	sig := syscall.Signal(req.Signal)
	err := askMonitor(c.dir, req)
	if err == nil {
		return nil
	}
	var nr *notRunningError
	if errors.As(err, &nr) {
		return notRunning(c.spec.ID)
	}
	if !errors.Is(err, errNoControl) {
		return err
	}
	// A monitor writes the exited state before it removes its socket: a
	// fresh read tells an old container from one that has just ended,
	// whose pid may already belong to another process.
	now, err := loadID(s, c.spec.ID)
	if err != nil || now.state.Status != statusRunning || now.state.Pid == 0 || sig == 0 {
		return notRunning(c.spec.ID)
	}
	if err := syscall.Kill(now.state.Pid, sig); err != nil {
		if err == syscall.ESRCH {
			return notRunning(c.spec.ID)
		}
		return err
	}
	return nil
}

// askMonitor is one request without descriptors on the control socket
// in dir.
func askMonitor(dir string, req controlRequest) error {
	_, err := request(dir, req)
	return err
}

// dialMonitor connects to the control socket in dir: errNoControl when
// there is none to reach.
func dialMonitor(dir string) (*net.UnixConn, error) {
	addr, done, err := socketAddr(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, errNoControl
	}
	if err != nil {
		return nil, err
	}
	conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: addr, Net: "unix"})
	done()
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
		// No socket, or one a killed monitor left behind.
		return nil, errNoControl
	}
	return conn, err
}

// request is one request without descriptors and its one reply.
func request(dir string, req controlRequest) (*controlReply, error) {
	conn, err := dialMonitor(dir)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(controlTimeout))
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	var rep controlReply
	if err := json.NewDecoder(conn).Decode(&rep); err != nil {
		return nil, fmt.Errorf("control socket: no reply from the monitor: %w", err)
	}
	return &rep, replyError(&rep)
}

// replyError is the error a reply carries.
func replyError(rep *controlReply) error {
	switch {
	case rep.NotRunning:
		return &notRunningError{}
	case rep.Error != "":
		return errors.New(rep.Error)
	}
	return nil
}

// sendRoot replies to a root request with the open root directory.
func sendRoot(conn *net.UnixConn, root func() (*os.File, error)) {
	f, err := root()
	switch {
	case errors.Is(err, os.ErrProcessDone), errors.Is(err, syscall.ESRCH):
		json.NewEncoder(conn).Encode(controlReply{NotRunning: true})
		return
	case err != nil:
		json.NewEncoder(conn).Encode(controlReply{Error: err.Error()})
		return
	}
	defer f.Close()
	data, _ := json.Marshal(controlReply{})
	conn.WriteMsgUnix(append(data, '\n'), unix.UnixRights(int(f.Fd())), nil)
}

// askMonitorRoot asks the monitor of the container in dir for its root
// directory, open.
func askMonitorRoot(dir string) (*os.File, error) {
	conn, err := dialMonitor(dir)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(controlTimeout))
	if err := json.NewEncoder(conn).Encode(controlRequest{Root: true}); err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	buf, oob := make([]byte, 4096), make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
	if err != nil {
		return nil, fmt.Errorf("control socket: no reply from the monitor: %w", err)
	}
	var fds []int
	if msgs, err := unix.ParseSocketControlMessage(oob[:oobn]); err == nil {
		for _, m := range msgs {
			if r, err := unix.ParseUnixRights(&m); err == nil {
				fds = append(fds, r...)
			}
		}
	}
	var rep controlReply
	if err := json.Unmarshal(buf[:n], &rep); err != nil {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return nil, fmt.Errorf("control socket: bad reply from the monitor: %w", err)
	}
	for _, fd := range fds[min(len(fds), 1):] {
		unix.Close(fd)
	}
	switch {
	case rep.NotRunning:
		return nil, ErrNotRunning
	case rep.Error != "":
		return nil, errors.New(rep.Error)
	case len(fds) == 0:
		return nil, errors.New("control socket: the monitor sent no descriptor")
	}
	unix.CloseOnExec(fds[0])
	return os.NewFile(uintptr(fds[0]), "root"), nil
}
