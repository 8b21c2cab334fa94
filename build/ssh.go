package build

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// SSH is one --ssh: the agent socket, or the private keys, that RUN
// --mount=type=ssh,id=ID reaches.
type SSH struct {
	ID     string
	Socket string      // an agent's socket
	Keys   agent.Agent // or an agent pocket serves from key files
	paths  []string    // as given, for messages
}

// ParseSSH reads --ssh as docker buildx does: default|ID[=SOCKET|KEY[,KEY]].
// Without a path the agent is $SSH_AUTH_SOCK's. A path that is a socket
// is an agent forwarded as it is; otherwise the paths are private keys
// (unencrypted) that pocket serves as an agent of its own.
func ParseSSH(spec string) (SSH, error) {
	id, rest, _ := strings.Cut(spec, "=")
	s := SSH{ID: id}
	bad := func(why string) (SSH, error) {
		return SSH{}, fmt.Errorf("invalid argument %q for \"--ssh\" flag: %s", spec, why)
	}
	if id == "" {
		return bad("an id is needed (default)")
	}
	if rest != "" {
		s.paths = strings.Split(rest, ",")
	} else if sock := os.Getenv("SSH_AUTH_SOCK"); sock != "" {
		s.paths = []string{sock}
	} else {
		return bad("invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set")
	}
	if len(s.paths) == 1 {
		if fi, err := os.Stat(s.paths[0]); err != nil {
			return bad(err.Error())
		} else if fi.Mode()&os.ModeSocket != 0 {
			s.Socket = s.paths[0]
			return s, nil
		}
	}
	kr := agent.NewKeyring()
	for _, p := range s.paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return bad(err.Error())
		}
		k, err := ssh.ParseRawPrivateKey(data)
		if err != nil {
			return bad(fmt.Sprintf("%s: %v (hint: an agent socket, or an unencrypted private key)", p, err))
		}
		if err := kr.Add(agent.AddedKey{PrivateKey: k, Comment: filepath.Base(p)}); err != nil {
			return bad(err.Error())
		}
	}
	s.Keys = kr
	return s, nil
}

// sshAgent finds --ssh id, or nil.
func (b *builder) sshAgent(id string) *SSH {
	for i := range b.o.SSH {
		if b.o.SSH[i].ID == id {
			return &b.o.SSH[i]
		}
	}
	return nil
}

// ssh is RUN --mount=type=ssh as BuildKit makes it: a socket at
// /run/buildkit/ssh_agent.N (N counting the step's ssh mounts) unless
// target= says, mode 0600 owned by 0:0 unless mode, uid and gid say,
// and SSH_AUTH_SOCK naming the first one unless the step's environment
// has it. The socket is pocket's own, in the step's private directory:
// each connection made to it is carried to the agent, so the container
// never sees the host path of the agent, and the socket is gone when
// the step ends.
func (sm *sessionMounts) ssh(b *builder, m *instructions.Mount, workdir string) error {
	n := sm.nssh
	sm.nssh++
	id := m.CacheID
	if id == "" {
		id = "default"
	}
	a := b.sshAgent(id)
	if a == nil {
		if m.Required {
			return fmt.Errorf("RUN --mount=type=ssh,id=%s: ssh agent %s %w (hint: pass it with --ssh %s[=SOCKET|KEY])", id, id, ErrNoSecret, id)
		}
		return nil
	}
	target := m.Target
	if target == "" {
		target = "/run/buildkit/ssh_agent." + strconv.Itoa(n)
	}
	target = absTarget(target, workdir)
	dir, err := sm.directory()
	if err != nil {
		return err
	}
	sock := filepath.Join(dir, "ssh-"+strconv.Itoa(n))
	l, err := net.Listen("unix", sock)
	if err != nil {
		return fmt.Errorf("RUN --mount=type=ssh,id=%s: %w", id, err)
	}
	mode := uint64(0o600)
	if m.Mode != nil {
		mode = *m.Mode
	}
	if err := own(sock, mode, m.UID, m.GID); err != nil {
		l.Close()
		return err
	}
	done := serveAgent(l, a)
	sm.close = append(sm.close, done)
	if n == 0 {
		sm.sshSock = target
	}
	return sm.bind(sock, target, false)
}

// serveAgent answers each connection to l with a: the host agent's
// socket dialled anew, or pocket's keyring. The returned function stops
// it and waits for every connection to end.
func serveAgent(l net.Listener, a *SSH) func() {
	var wg sync.WaitGroup
	var mu sync.Mutex
	conns := map[net.Conn]bool{}
	track := func(c net.Conn, on bool) {
		mu.Lock()
		defer mu.Unlock()
		if on {
			conns[c] = true
		} else {
			delete(conns, c)
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			track(c, true)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer track(c, false)
				defer c.Close()
				if a.Keys != nil {
					agent.ServeAgent(a.Keys, c)
					return
				}
				up, err := net.Dial("unix", a.Socket)
				if err != nil {
					return
				}
				track(up, true)
				defer track(up, false)
				defer up.Close()
				pipe(c, up)
			}()
		}
	}()
	return func() {
		l.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	}
}

// pipe copies both ways until either side ends.
func pipe(a, b net.Conn) {
	done := make(chan struct{}, 2)
	cp := func(dst, src net.Conn) {
		io.Copy(dst, src)
		if cw, ok := dst.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
		done <- struct{}{}
	}
	go cp(a, b)
	go cp(b, a)
	<-done
	<-done
}
