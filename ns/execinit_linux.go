package ns

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// ExecInit is "pocket exec-init": the second stage of pocket exec and of
// healthchecks. It never returns. The container's monitor starts it from
// a thread that joined the container's PID namespace (which a process
// can only enter at birth), in the container's cgroup; ExecInit joins the
// container's other namespaces on its own locked thread, then becomes the
// container's user with the container's capabilities, seccomp filter and
// no_new_privs exactly as Init's last step does, and execs the command.
func ExecInit() {
	// CVE-2019-5736: this is pocket's binary inside the container (its PID
	// namespace now, its mounts soon) holding host descriptors (the
	// config and error pipes, the pidfd). Not dumpable, the container's
	// processes can neither ptrace it nor open its /proc/PID/exe, fd or
	// mem; its binary is the read-only handle the monitor started it from
	// (SealedExe).
	runStage("container exec", execStart)
}

func execStart() error {
	cfg, err := readExecConfig()
	if err != nil {
		return err
	}
	// setns(CLONE_NEWNS) refuses a thread that shares its root and
	// working directory with the Go runtime's others.
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		return &os.SyscallError{Syscall: "unshare(CLONE_FS)", Err: err}
	}
	pidfd := -1
	var st unix.Stat_t
	if err := unix.Fstat(NamespaceFD, &st); err == nil && st.Mode&unix.S_IFMT != unix.S_IFCHR {
		pidfd = NamespaceFD
	}
	if err := Join(pidfd, cfg.Pid, cfg.Namespaces); err != nil {
		return err
	}
	// The pidfd is the host's: nothing of it may reach the command.
	unix.Close(NamespaceFD)
	unix.Umask(0o022)
	if err := joinSessionKeyring(cfg.ID); err != nil {
		return err
	}
	// setns put this thread at the root of the container's mounts (its
	// pivot_root'ed rootfs), where the process starts unless it has a cwd.
	if err := unix.Chdir("/"); err != nil {
		return &os.PathError{Op: "chdir", Path: "/", Err: err}
	}
	if cfg.Process.Terminal {
		if err := setupConsole(); err != nil {
			return err
		}
	}
	return startProcess(&Config{ID: cfg.ID, Process: cfg.Process, Security: cfg.Security})
}

// readExecConfig decodes the one ExecConfig the monitor writes on ConfigFD.
func readExecConfig() (*ExecConfig, error) {
	f := os.NewFile(ConfigFD, "config pipe")
	if f == nil {
		return nil, errors.New("container exec: no config pipe on fd 3 (hint: pocket exec-init is started by a container's monitor, not by hand)")
	}
	defer f.Close()
	var cfg ExecConfig
	if err := json.NewDecoder(f).Decode(&cfg); err != nil {
		return nil, fmt.Errorf("container exec: read config: %w", err)
	}
	if len(cfg.Process.Args) == 0 {
		return nil, errors.New("container exec: no command specified")
	}
	return &cfg, nil
}
