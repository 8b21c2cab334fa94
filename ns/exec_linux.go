package ns

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"pocket/trace"
)

// defaultPath is Docker's PATH for an image that sets none.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// startProcess runs after pivot_root: it becomes the configured user in the
// configured directory and execs the command (or runs it under the reaper).
func startProcess(cfg *Config) (err error) {
	p := cfg.Process
	var u execUser
	if p.Creds != nil {
		u = credsUser(p.Creds)
	} else if u, err = lookupUser(p.User, p.GroupAdd); err != nil {
		return err
	}
	env := p.Env
	if getenv(env, "HOME") == "" {
		env = append(env[:len(env):len(env)], "HOME="+u.Home)
	}
	// Nothing of init's reaches the command, and its error pipe closes on
	// a successful exec. The descriptors init still holds cannot lead the
	// working directory out of the rootfs: see chdirInRoot.
	if err := CloseOnExec(); err != nil {
		return err
	}
	if p.Cwd != "" {
		if err := chdirInRoot(p.Cwd); err != nil {
			return err
		}
	}
	if p.Terminal {
		// Ours to give: the user may reopen their terminal by name.
		if err := unix.Fchown(0, u.UID, -1); err != nil {
			return fmt.Errorf("chown terminal: %w", err)
		}
	}
	if err := setRlimits(p.Rlimits); err != nil {
		return err
	}
	if err := setOOMScoreAdj(p.OOMScoreAdj); err != nil {
		return err
	}
	// create then start: everything is built, only the exec is left.
	if err := waitGate(cfg.Gate); err != nil {
		return err
	}
	var names []string
	if cfg.Security.Caps == nil {
		if names, err = Capabilities(cfg.Security); err != nil {
			return err
		}
	}
	// The seccomp filter goes on as runc puts it: without no_new_privs
	// the kernel asks for CAP_SYS_ADMIN, so before the capabilities go;
	// with it, as late as can be, so that init's own steps are not
	// filtered. Either way before exec: nothing of the image runs
	// unfiltered.
	nnp := cfg.Security.NoNewPrivileges
	if !nnp {
		if err := installSeccomp(cfg.Security.Seccomp); err != nil {
			return err
		}
	}
	if cfg.Security.Caps != nil {
		if err := applyCapSets(u, cfg.Security.Caps); err != nil {
			return err
		}
	} else if err := dropPrivileges(u, names, allCaps(cfg.Security)); err != nil {
		return err
	}
	if nnp {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return fmt.Errorf("prctl no_new_privs: %w", err)
		}
	}
	path, err := lookPath(p.Args[0], getenv(env, "PATH"))
	if err != nil {
		return err
	}
	if nnp {
		if err := installSeccomp(cfg.Security.Seccomp); err != nil {
			return err
		}
	}
	trace.Mark("init exec")
	if p.Init {
		return reap(path, p.Args, env, p.Terminal)
	}
	return execError(p.Args[0], unix.Exec(path, p.Args, env))
}

// lookupUser resolves a --user spec against the container's own
// /etc/passwd and /etc/group (never NSS: the image is not the host).
func lookupUser(spec string, groupAdd []string) (execUser, error) {
	read := func(name string) (*os.File, error) {
		f, err := os.Open(name)
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return f, err
	}
	pf, err := read("/etc/passwd")
	if err != nil {
		return execUser{}, err
	}
	var passwd []passwdEntry
	if pf != nil {
		passwd, err = parsePasswd(pf)
		pf.Close()
		if err != nil {
			return execUser{}, fmt.Errorf("read /etc/passwd: %w", err)
		}
	}
	gf, err := read("/etc/group")
	if err != nil {
		return execUser{}, err
	}
	var group []groupEntry
	if gf != nil {
		group, err = parseGroup(gf)
		gf.Close()
		if err != nil {
			return execUser{}, fmt.Errorf("read /etc/group: %w", err)
		}
	}
	u, err := resolveUser(spec, passwd, group)
	if err != nil {
		return u, err
	}
	return u, addGroups(&u, groupAdd, group)
}

func getenv(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}

// lookPath finds file as exec.LookPath does, with the container's PATH
// and Docker's messages and exit codes.
func lookPath(file, path string) (string, error) {
	if strings.Contains(file, "/") {
		if err := executable(file); err != nil {
			return "", execError(file, err)
		}
		return file, nil
	}
	if path == "" {
		path = defaultPath
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, file)
		if executable(p) == nil {
			if !filepath.IsAbs(p) {
				p = "./" + p
			}
			return p, nil
		}
	}
	return "", &Error{Code: codeNotFound, Message: fmt.Sprintf("exec: %q: executable file not found in $PATH", file)}
}

// executable reports why p cannot be executed by this process, if it cannot.
func executable(p string) error {
	st, err := os.Stat(p)
	if err != nil {
		return err
	}
	if st.IsDir() || st.Mode()&0o111 == 0 {
		return unix.EACCES
	}
	return unix.Faccessat(unix.AT_FDCWD, p, unix.X_OK, unix.AT_EACCESS)
}

// execError maps an exec failure to Docker's exit codes: 127 for a
// missing file, 126 for one that cannot be run.
func execError(name string, err error) error {
	var errno unix.Errno
	if !errors.As(err, &errno) {
		return &Error{Code: codeSetup, Message: fmt.Sprintf("exec: %q: %v", name, err)}
	}
	code := codeNotExec
	if errno == unix.ENOENT || errno == unix.ENOTDIR {
		code = codeNotFound
	}
	return &Error{Code: code, Message: fmt.Sprintf("exec: %q: %v", name, errno)}
}
