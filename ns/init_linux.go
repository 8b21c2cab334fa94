package ns

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"

	"golang.org/x/sys/unix"

	"pocket/trace"
)

// Init is "pocket init": it never returns. main calls it before any CLI
// parsing when os.Args[1] == "init". It builds the container from the
// Config on ConfigFD and execs the command; any failure is written to
// ErrorFD as an *Error and init exits with its code.
func Init() {
	// CVE-2019-5736: until it execs the command, init is pocket's binary
	// in the container, holding host files (the config pipe, the rootfs,
	// the Go runtime's descriptors). Not dumpable, neither it nor the
	// --init reaper it becomes can be ptraced, nor its /proc/PID/fd,
	// /proc/PID/exe or /proc/PID/mem opened, by the container's root
	// without CAP_SYS_PTRACE.
	trace.Mark("init start")
	runStage("container init", start)
}

// runStage runs a stage of pocket inside a container (init, exec-init)
// and never returns. Mounts, credentials and capabilities are per thread
// until exec, so every step stays on one locked thread; the stage is not
// dumpable until it execs the command (a new exec is dumpable again).
// A failure, or a stage that returns, is reported to the parent by fail.
func runStage(name string, stage func() error) {
	runtime.LockOSThread()
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		fail(&os.SyscallError{Syscall: "prctl(PR_SET_DUMPABLE)", Err: err})
	}
	err := stage()
	if err == nil {
		err = errors.New(name + ": exec returned")
	}
	fail(err)
}

// fail reports err to the parent and exits without a stack trace.
func fail(err error) {
	e := asError(err)
	f := os.NewFile(ErrorFD, "error pipe")
	_ = json.NewEncoder(f).Encode(e)
	os.Exit(e.Code)
}

// start runs the container setup in order; it returns only on failure
// (or, with Process.Init, never: the reaper exits).
func start() error {
	cfg, err := readConfig()
	if err != nil {
		return err
	}
	trace.Mark("init config read")
	// pocket run's parent sets it at fork, except for an init started in
	// another container's PID namespace (--pid container:), where Go's
	// fork cannot (see run's startProcess): armed here, the same either
	// way. Not for the OCI runtime, whose `create` exits and leaves init
	// waiting for `start`. A parent dead before this leaves init the
	// config pipe's EOF above, and it exits.
	if cfg.DieWithParent {
		if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0); err != nil {
			return &os.SyscallError{Syscall: "prctl(PR_SET_PDEATHSIG)", Err: err}
		}
	}
	if err := joinNamespaces(cfg.Join); err != nil {
		return err
	}
	unix.Umask(0o022)
	// In init itself, not by prlimit from the parent: Go's exec puts back
	// the soft limit a process started with unless it set one itself.
	if cfg.Nofile != 0 {
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &unix.Rlimit{Cur: cfg.Nofile, Max: cfg.Nofile}); err != nil {
			return &os.SyscallError{Syscall: "setrlimit(RLIMIT_NOFILE)", Err: err}
		}
	}
	if cfg.Joined {
		// exec: once in the container's mount namespace, / is its root.
		if err := joinProcess(cfg.JoinFD, cfg.JoinPid); err != nil {
			return err
		}
		if err := checkCwd(); err != nil {
			return err
		}
		if cfg.Process.Terminal {
			if err := setupConsole(); err != nil {
				return err
			}
		}
		return startProcess(cfg)
	}
	if err := joinSessionKeyring(cfg.ID); err != nil {
		return err
	}
	if err := setupRootfs(cfg); err != nil {
		return err
	}
	trace.Mark("init rootfs")
	if cfg.Hostname != "" {
		if err := unix.Sethostname([]byte(cfg.Hostname)); err != nil {
			return fmt.Errorf("sethostname %s: %w", cfg.Hostname, err)
		}
	}
	if cfg.Network == "none" {
		if err := loopbackUp(); err != nil {
			return err
		}
	}
	if err := pivotRoot(cfg.Rootfs.Target); err != nil {
		return err
	}
	trace.Mark("init pivoted")
	if cfg.Process.Terminal {
		if err := setupConsole(); err != nil {
			return err
		}
	}
	if cfg.Rootfs.ReadOnly {
		// Only the root mount: /dev, /proc, volumes keep their own mode.
		if err := makeReadonly("/", false); err != nil {
			return fmt.Errorf("make rootfs read-only: %w", err)
		}
	}
	return startProcess(cfg)
}

// readConfig decodes the one Config the parent writes on ConfigFD.
func readConfig() (*Config, error) {
	f := os.NewFile(ConfigFD, "config pipe")
	if f == nil {
		return nil, errors.New("container init: no config pipe on fd 3 (hint: pocket init is started by pocket run, not by hand)")
	}
	defer f.Close()
	var cfg Config
	if err := json.NewDecoder(f).Decode(&cfg); err != nil {
		return nil, fmt.Errorf("container init: read config: %w", err)
	}
	if !cfg.Joined && (cfg.Rootfs.Target == "" || (len(cfg.Rootfs.Lower) == 0 && !cfg.Rootfs.Bind)) {
		return nil, errors.New("container init: config has no rootfs")
	}
	if len(cfg.Process.Args) == 0 {
		return nil, errors.New("container init: no command specified (hint: give one after the image name)")
	}
	return &cfg, nil
}
