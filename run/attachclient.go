package run

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/creack/pty"
	"golang.org/x/term"

	"pocket/store"
)

// AttachOptions are `pocket attach`'s.
type AttachOptions struct {
	NoStdin    bool   // --no-stdin
	SigProxy   bool   // --sig-proxy: signals to pocket go to the container (not with -t)
	DetachKeys []byte // ParseDetachKeys
	Stdin      io.Reader
	Stdout     io.Writer
	Stderr     io.Writer
}

// Attach is `pocket attach`: the user's streams joined to a detached
// container's through its monitor (attachHub). It returns the
// container's exit status once the run ends, or 0 when the user detaches
// with the detach keys.
func Attach(s *store.Store, id string, o AttachOptions) (int, error) {
	c, err := load(s, id)
	if err != nil {
		return 1, err
	}
	if c.state.Status != statusRunning {
		return 1, errors.New("You cannot attach to a stopped container, start it first")
	}
	if c.paused() {
		return 1, errors.New("You cannot attach to a paused container, unpause it first")
	}
	conn, err := dialAttach(c)
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
		return 1, fmt.Errorf("container %s runs attached to the pocket that started it (hint: pocket logs -f %s follows its output)", c.spec.ID[:12], id)
	}
	if err != nil {
		return 1, fmt.Errorf("attach %s: %w", id, err)
	}
	defer conn.Close()
	withStdin := !o.NoStdin && c.spec.OpenStdin && o.Stdin != nil
	hello := attachHello{Stdin: withStdin}
	tty := userTerminal(c, o)
	if tty != nil {
		hello.Size, _ = pty.GetsizeFull(tty)
	}
	if err := json.NewEncoder(conn).Encode(hello); err != nil {
		return 1, fmt.Errorf("attach %s: %w", id, err)
	}
	if tty != nil {
		// Each SIGWINCH sends the new size on a connection of its own,
		// so that stdin stays a plain byte stream.
		winch := make(chan os.Signal, 1)
		signal.Notify(winch, syscall.SIGWINCH)
		defer func() { signal.Stop(winch); close(winch) }()
		go func() {
			for range winch {
				sendSize(c, tty)
			}
		}()
	}
	detached := make(chan struct{})
	if withStdin {
		in := o.Stdin
		if f, ok := in.(*os.File); ok && c.spec.Tty && term.IsTerminal(int(f.Fd())) {
			if old, err := term.MakeRaw(int(f.Fd())); err == nil {
				defer term.Restore(int(f.Fd()), old)
			}
		}
		// As Docker's, the detach keys work with a terminal (-t): other
		// input passes through as it is.
		if len(o.DetachKeys) > 0 && c.spec.Tty {
			in = &escapeReader{r: in, keys: o.DetachKeys}
		}
		go func() {
			_, err := io.Copy(conn, in)
			if errors.Is(err, errDetached) {
				close(detached)
				conn.Close()
			}
		}()
	}
	if o.SigProxy && !c.spec.Tty {
		sigs := make(chan os.Signal, 32)
		signal.Notify(sigs, forwarded...)
		defer signal.Stop(sigs)
		go func() {
			for sig := range sigs {
				signalContainer(s, c, sig.(syscall.Signal))
			}
		}()
	}
	copyFrames(conn, o.Stdout, o.Stderr)
	select {
	case <-detached:
		return 0, nil
	default:
	}
	// The monitor ends attachments once the run's end is recorded.
	now, err := loadID(s, c.spec.ID)
	if err != nil {
		return 1, err
	}
	return now.state.ExitCode, nil
}

// dialAttach connects to c's attach socket.
func dialAttach(c *container) (*net.UnixConn, error) {
	addr, done, err := socketAddrOf(c.dir, attachFile)
	if err != nil {
		return nil, err
	}
	defer done()
	return net.DialUnix("unix", nil, &net.UnixAddr{Name: addr, Net: "unix"})
}

// userTerminal is the user's terminal whose size a -t container's pty
// follows: stdout's, as Docker's CLI measures it, else stdin's; nil
// without -t or a terminal.
func userTerminal(c *container, o AttachOptions) *os.File {
	if !c.spec.Tty {
		return nil
	}
	for _, s := range []any{o.Stdout, o.Stdin} {
		if f, ok := s.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			return f
		}
	}
	return nil
}

// sendSize tells c's monitor the size of tty; a failure (the container
// ended meanwhile) is not the user's to see.
func sendSize(c *container, tty *os.File) {
	ws, err := pty.GetsizeFull(tty)
	if err != nil {
		return
	}
	conn, err := dialAttach(c)
	if err != nil {
		return
	}
	defer conn.Close()
	json.NewEncoder(conn).Encode(attachHello{Size: ws, Resize: true})
}

// copyFrames writes attach frames to their streams until the connection
// ends.
func copyFrames(r io.Reader, stdout, stderr io.Writer) {
	var head [5]byte
	for {
		if _, err := io.ReadFull(r, head[:]); err != nil {
			return
		}
		w := stdout
		if head[0] == frameStderr {
			w = stderr
		}
		if _, err := io.CopyN(w, r, int64(binary.BigEndian.Uint32(head[1:]))); err != nil {
			return
		}
	}
}
