package build

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"golang.org/x/sys/unix"
)

// sessionMounts are what one RUN step borrows from the host for its
// run alone, as BuildKit's session does: secrets and SSH agents. They
// live in a directory of their own, on a tmpfs where the host has one,
// removed when the step ends.
type sessionMounts struct {
	tmp    string   // the build's temporary directory: the fallback
	dir    string   // made on first use
	mounts []string // run's --mount specs
	env    []string // K=V for the step's environment only
	close  []func()
	nssh   int
	// sshSock is the first ssh mount's target: SSH_AUTH_SOCK.
	sshSock string
}

// sessionMounts prepares the secret and ssh mounts of a RUN step. The
// caller closes the result once the step's container is gone.
func (b *builder) sessionMounts(mounts []*instructions.Mount, workdir string) (*sessionMounts, error) {
	sm := &sessionMounts{tmp: b.tmp}
	for _, m := range mounts {
		var err error
		switch m.Type {
		case instructions.MountTypeSecret:
			err = sm.secret(b, m, workdir)
		case instructions.MountTypeSSH:
			err = sm.ssh(b, m, workdir)
		}
		if err != nil {
			sm.Close()
			return nil, err
		}
	}
	return sm, nil
}

// Close stops what serves the mounts and removes their files.
func (sm *sessionMounts) Close() {
	for i := len(sm.close) - 1; i >= 0; i-- {
		sm.close[i]()
	}
	sm.close = nil
	if sm.dir != "" {
		os.RemoveAll(sm.dir)
		sm.dir = ""
	}
}

// directory is the step's private directory, made on first use.
func (sm *sessionMounts) directory() (string, error) {
	if sm.dir != "" {
		return sm.dir, nil
	}
	dir, err := privateTmpfsDir(sm.tmp)
	if err != nil {
		return "", err
	}
	sm.dir = dir
	return dir, nil
}

// file writes data to a new file of the step's directory with the mode
// and owner the mount asks (BuildKit's uid, gid and mode options).
func (sm *sessionMounts) file(prefix string, data []byte, mode uint64, uid, gid *uint64) (string, error) {
	dir, err := sm.directory()
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, prefix)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		return "", err
	}
	if err := own(f.Name(), mode, uid, gid); err != nil {
		return "", err
	}
	return f.Name(), nil
}

// own sets a session file's mode and owner (0:0 unless asked), as
// numbers of the container's user namespace: rootless pocket runs in
// its own, where they are the container's.
func own(p string, mode uint64, uid, gid *uint64) error {
	u, g := 0, 0
	if uid != nil {
		u = int(*uid)
	}
	if gid != nil {
		g = int(*gid)
	}
	if err := os.Lchown(p, u, g); err != nil {
		return err
	}
	// Raw bits, setuid and sticky included, as BuildKit passes them.
	if err := unix.Fchmodat(unix.AT_FDCWD, p, uint32(mode&0o7777), 0); err != nil {
		return &os.PathError{Op: "chmod", Path: p, Err: err}
	}
	return nil
}

// bind mounts host file src on target for the step. The target is the
// image's and hostile: pocket's init resolves it inside the container's
// root, a symlink included, so a link to a host path in the image makes
// the mount land on that path of the container, never the host's.
func (sm *sessionMounts) bind(src, target string, readonly bool) error {
	if strings.ContainsAny(target, ",\"") {
		return fmt.Errorf("mount target %q: a comma or quote in it is not supported", target)
	}
	spec := "type=bind,source=" + src + ",target=" + target
	if readonly {
		spec += ",readonly"
	}
	sm.mounts = append(sm.mounts, spec)
	return nil
}

// absTarget is a mount target made absolute against the working
// directory, as BuildKit does.
func absTarget(target, workdir string) string {
	if !filepath.IsAbs(target) {
		target = filepath.Join("/", workdir, target)
	}
	return filepath.Clean(target)
}

// stepEnv is the RUN's environment: the build args it sees, then the
// secrets asked as variables and SSH_AUTH_SOCK (unless the image or an
// arg sets it, as BuildKit). Only the container sees these: the cache
// key and the history hold the args alone.
func (sm *sessionMounts) stepEnv(args, imageEnv []string) []string {
	env := append(append([]string(nil), args...), sm.env...)
	if sm.sshSock != "" && !hasEnv(imageEnv, "SSH_AUTH_SOCK") && !hasEnv(env, "SSH_AUTH_SOCK") {
		env = append(env, "SSH_AUTH_SOCK="+sm.sshSock)
	}
	return env
}
