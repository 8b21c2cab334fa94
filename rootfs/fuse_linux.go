package rootfs

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"pocket/ns"
)

// FuseMount is a rootfs fuse-overlayfs serves for the monitor. It lives
// in the monitor's mount namespace (rootless pocket's own, private to this
// pocket process), which init's copies; it is unmounted when the
// container ends, and with the namespace at the latest.
type FuseMount struct {
	target string
	cmd    *exec.Cmd
	done   chan struct{} // closed when the daemon has exited
	stderr *tailBuffer
}

// Mount mounts rs with fuse-overlayfs when init is told it is
// premounted; otherwise init mounts overlayfs itself and it returns nil.
func Mount(rs ns.Rootfs) (*FuseMount, error) {
	if !rs.Premounted {
		return nil, nil
	}
	for _, p := range append([]string{rs.Upper, rs.Work}, rs.Lower...) {
		if strings.ContainsAny(p, ":,") {
			return nil, fmt.Errorf("mount rootfs: layer path %q has ':' or ','", p)
		}
	}
	opts := "lowerdir=" + strings.Join(rs.Lower, ":") + ",upperdir=" + rs.Upper + ",workdir=" + rs.Work
	// In the foreground (-f), so that the daemon is our child: we know when
	// it has ended, and Pdeathsig ends it if we die. Its own process
	// group keeps a terminal's ^C for the container.
	m := &FuseMount{target: rs.Target, done: make(chan struct{}), stderr: &tailBuffer{max: 4096}}
	m.cmd = exec.Command(fuseOverlayfs, "-f", "-o", opts, rs.Target)
	m.cmd.Stdout, m.cmd.Stderr = m.stderr, m.stderr
	m.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := m.cmd.Start(); err != nil {
		return nil, fmt.Errorf("mount rootfs with %s: %w (hint: sudo apt-get install fuse-overlayfs)"+doctorHint, fuseOverlayfs, err)
	}
	go func() {
		m.cmd.Wait()
		close(m.done)
	}()
	// A foreground FUSE daemon says nothing once it serves: watch the
	// target turn into a FUSE mount, or the daemon give up.
	for {
		var st unix.Statfs_t
		if err := unix.Statfs(rs.Target, &st); err == nil && st.Type == unix.FUSE_SUPER_MAGIC {
			return m, nil
		}
		select {
		case <-m.done:
			return nil, m.failed()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// failed is the error of a daemon that exited before mounting.
func (m *FuseMount) failed() error {
	// One line: its lines joined, without libfuse's notes on options
	// this kernel ignores.
	var said []string
	for _, l := range strings.Split(m.stderr.String(), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "unknown argument ignored") {
			said = append(said, l)
		}
	}
	msg := strings.Join(said, "; ")
	if msg == "" {
		msg = m.cmd.ProcessState.String()
	}
	hint := ""
	if unix.Access("/dev/fuse", unix.R_OK|unix.W_OK) != nil {
		hint = " (hint: /dev/fuse must be readable and writable by you: sudo chmod 666 /dev/fuse, or sudo modprobe fuse)" + doctorHint
	}
	return fmt.Errorf("mount rootfs %s with %s: %s%s", m.target, fuseOverlayfs, msg, hint)
}

// Unmount ends the mount and waits for its daemon, which exits once the
// kernel closes the FUSE connection. Nil-safe.
func (m *FuseMount) Unmount() error {
	if m == nil {
		return nil
	}
	err := unix.Unmount(m.target, 0)
	if errors.Is(err, unix.EBUSY) {
		// Something still holds it (nothing of the container should):
		// detach it so the daemon ends with its last user.
		err = unix.Unmount(m.target, unix.MNT_DETACH)
	}
	if err != nil {
		m.cmd.Process.Kill()
		<-m.done
		return &os.PathError{Op: "unmount rootfs", Path: m.target, Err: err}
	}
	select {
	case <-m.done:
	case <-time.After(10 * time.Second):
		m.cmd.Process.Kill()
		<-m.done
	}
	return nil
}

// tailBuffer keeps the last max bytes written to it, safely for the
// goroutine exec copies a child's output with.
type tailBuffer struct {
	mu  sync.Mutex
	b   []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = t.b[len(t.b)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
