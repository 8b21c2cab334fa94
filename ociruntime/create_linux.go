package ociruntime

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"pocket/ns"
	"pocket/seccomp"
)

// Create builds the container of the bundle and leaves its init held
// before it execs the process (runc's create): Start lets it go. The init
// outlives this call; its parent, the caller, reaps it.
func (r *Runtime) Create(id string, o CreateOptions) error {
	_, cmd, lateErr, err := r.create(id, o)
	if err != nil {
		return err
	}
	lateErr.Close()
	// Not ours to wait for: the caller (containerd's shim, a subreaper)
	// reaps init once we are gone.
	return cmd.Process.Release()
}

// create does Create's work and returns the held init, and its error pipe
// for a failure after the gate.
func (r *Runtime) create(id string, o CreateOptions) (_ *record, _ *exec.Cmd, _ *os.File, err error) {
	if err := checkID(id); err != nil {
		return nil, nil, nil, err
	}
	bundle, err := filepath.Abs(o.Bundle)
	if err != nil {
		return nil, nil, nil, err
	}
	spec, err := readSpec(bundle)
	if err != nil {
		return nil, nil, nil, err
	}
	p, err := translate(spec, bundle, id, r.SystemdCgroup)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := os.MkdirAll(r.Root, 0o700); err != nil {
		return nil, nil, nil, err
	}
	dir := r.dir(id)
	if err := os.Mkdir(dir, 0o711); errors.Is(err, fs.ErrExist) {
		return nil, nil, nil, ErrExist
	} else if err != nil {
		return nil, nil, nil, err
	}
	// Held until the container is whole (state, hooks, pid file): a
	// delete or kill that finds the directory waits for it.
	lk, err := r.lock(id)
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, nil, err
	}
	defer lk.Close()
	rec := &record{
		ID: id, Bundle: bundle, Rootfs: p.Init.Rootfs.Target, Created: time.Now().UTC(),
		Owner: owner(), Annotations: spec.Annotations, Cgroup: p.CgroupPath, Hooks: p.Hooks, UserNS: p.UserNS,
	}
	ok := false
	var cg *group
	defer func() {
		if !ok {
			if cg != nil {
				cg.remove()
			}
			os.RemoveAll(dir)
		}
	}()
	if p.Seccomp != nil {
		f, err := seccomp.Compile(p.Seccomp)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("seccomp: %w", err)
		}
		rec.Seccomp = &ns.Seccomp{Program: f.Bytes(), Flags: f.Flags}
		p.Init.Security.Seccomp = rec.Seccomp
	}
	if cg, err = newGroup(p.CgroupPath, p.Resources); err != nil {
		return nil, nil, nil, err
	}
	if p.CgroupMount {
		p.Init.Cgroups = cgroupMounts(p.CgroupPath, p.Cloneflags&unix.CLONE_NEWCGROUP != 0)
	}
	fifoPath := filepath.Join(dir, fifoFile)
	if err := unix.Mkfifo(fifoPath, 0o622); err != nil {
		return nil, nil, nil, &os.PathError{Op: "mkfifo", Path: fifoPath, Err: err}
	}
	// 0622 whatever the umask: init reopens it for writing as the
	// container's root, which a user namespace maps to another host uid.
	if err := os.Chmod(fifoPath, 0o622); err != nil {
		return nil, nil, nil, err
	}
	fifo, err := os.OpenFile(fifoPath, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, nil, err
	}
	defer fifo.Close()
	l := &launch{
		init: p.Init, cloneflags: p.Cloneflags, uidMap: p.UIDMappings, gidMap: p.GIDMappings,
		pidNS: p.PidNS, cg: cg, consoleSocket: o.ConsoleSocket, consoleSize: p.ConsoleSize,
		fifo: fifo, stdin: r.Stdin, stdout: r.Stdout, stderr: r.Stderr, initCache: r.initDir(),
	}
	cmd, err := l.start()
	if err != nil {
		return nil, nil, nil, err
	}
	kill := func(err error) (*record, *exec.Cmd, *os.File, error) {
		l.lateErr.Close()
		cmd.Process.Kill()
		cmd.Wait()
		return nil, nil, nil, err
	}
	rec.Pid = cmd.Process.Pid
	if _, rec.StartTime, err = procStat(rec.Pid); err != nil {
		return kill(err)
	}
	if err := r.save(rec); err != nil {
		return kill(err)
	}
	if p.Hooks != nil {
		// prestart is deprecated for createRuntime; both run here, in
		// the runtime's namespaces, once the container exists.
		st := rec.hookState(Created)
		if err := runHooks("prestart", p.Hooks.Prestart, st); err != nil {
			return kill(err)
		}
		if err := runHooks("createRuntime", p.Hooks.CreateRuntime, st); err != nil {
			return kill(err)
		}
	}
	if o.PidFile != "" {
		if err := writePidFile(o.PidFile, rec.Pid); err != nil {
			return kill(err)
		}
	}
	ok = true
	return rec, cmd, l.lateErr, nil
}

// owner is who created the container, as runc's state says it.
func owner() string {
	u, err := user.LookupId(strconv.Itoa(os.Getuid()))
	if err != nil {
		return strconv.Itoa(os.Getuid())
	}
	return u.Username
}
