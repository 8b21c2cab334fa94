package run

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
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

// controlRequest is one line a client sends: a signal for PID 1, or a
// request for the container's root directory (`pocket cp`), which comes
// back as a descriptor (SCM_RIGHTS) with the reply. Rootless pocket needs
// the monitor for that too: the container's process is not dumpable
// (its exec gained capabilities), and /proc/PID/root then opens only for
// a process with CAP_SYS_PTRACE in the container's user namespace, which
// the monitor is root in and a pocket command, in a namespace of its own,
// is not.
type controlRequest struct {
	Signal int  `json:"signal,omitempty"`
	Root   bool `json:"root,omitempty"`
}

// controlReply is the monitor's answer: empty means delivered.
type controlReply struct {
	Error      string `json:"error,omitempty"`
	NotRunning bool   `json:"notRunning,omitempty"`
}

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
	p := filepath.Join(dir, controlFile)
	if len(p) <= maxSocketPath {
		return p, func() {}, nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return "", nil, err
	}
	return fmt.Sprintf("/proc/self/fd/%d/%s", d.Fd(), controlFile), func() { d.Close() }, nil
}

// controlServer is a monitor's side of the control socket.
type controlServer struct {
	ln   *net.UnixListener
	path string
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
	return &controlServer{ln: ln, path: path}, nil
}

// serve answers requests until close, delivering signals with signal,
// which returns os.ErrProcessDone once the container has been reaped.
func (s *controlServer) serve(signal func(syscall.Signal) error, root func() (*os.File, error)) {
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
			go handleControl(conn, signal, root)
		}
	}()
}

func handleControl(conn *net.UnixConn, signal func(syscall.Signal) error, root func() (*os.File, error)) {
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
	var req controlRequest
	if err := json.NewDecoder(conn).Decode(&req); err != nil {
		reply(controlReply{Error: "bad request: " + err.Error()})
		return
	}
	if req.Root {
		sendRoot(conn, root)
		return
	}
	if req.Signal <= 0 || req.Signal > 64 {
		reply(controlReply{Error: fmt.Sprintf("%v: %d", ErrBadSignal, req.Signal)})
		return
	}
	switch err := signal(syscall.Signal(req.Signal)); {
	case err == nil:
		reply(controlReply{})
	case errors.Is(err, os.ErrProcessDone), errors.Is(err, syscall.ESRCH):
		reply(controlReply{NotRunning: true})
	default:
		reply(controlReply{Error: err.Error()})
	}
}

// close stops serving and removes the socket. A nil server is closed.
func (s *controlServer) close() {
	if s == nil {
		return
	}
	s.ln.Close()
	os.Remove(s.path)
}

// signalContainer sends sig to c's PID 1 through its monitor. Without a
// control socket (a container started by an older pocket) it signals the
// process directly while the monitor lock shows it alive.
func signalContainer(s *store.Store, c *container, sig syscall.Signal) error {
	err := askMonitor(c.dir, sig)
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
	if err != nil || now.state.Status != statusRunning || now.state.Pid == 0 {
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

// askMonitor is one request on the control socket in dir.
func askMonitor(dir string, sig syscall.Signal) error {
	addr, done, err := socketAddr(dir)
	if errors.Is(err, os.ErrNotExist) {
		return errNoControl
	}
	if err != nil {
		return err
	}
	conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: addr, Net: "unix"})
	done()
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
		// No socket, or one a killed monitor left behind.
		return errNoControl
	}
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(controlTimeout))
	if err := json.NewEncoder(conn).Encode(controlRequest{Signal: int(sig)}); err != nil {
		return fmt.Errorf("control socket: %w", err)
	}
	var rep controlReply
	if err := json.NewDecoder(conn).Decode(&rep); err != nil {
		return fmt.Errorf("control socket: no reply from the monitor: %w", err)
	}
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
		return nil, errNoControl
	}
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
