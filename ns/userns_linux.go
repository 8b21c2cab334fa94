package ns

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// syncFD is the pipe on which the first process tells the second that its
// id mappings are written.
const syncFD = 3

// EnterUserNS makes a non-root pocket root in a user namespace of its own,
// as rootless Podman does, before any work is done: the store then keeps
// the image's ownership for real while the host sees only the user's ids.
//
// As root, or when already inside, it returns at once. Otherwise it starts
// /proc/self/exe again with the same arguments, environment and stdio in a
// new user and mount namespace, where the user is uid 0 and the user's
// subordinate ids (/etc/subuid, /etc/subgid, written by the setuid helpers
// newuidmap and newgidmap) are uids 1..N; it forwards signals to it and exits
// with its status, so on success it never returns. Without subordinate ids
// or without the helpers it maps the user alone and says once on stderr
// what that costs and how to fix it.
//
// The mappings are written from out here, after the child exists but before
// it runs pocket's work. A process only gains its capabilities in a user
// namespace when it execs as uid 0 there, so the child, once told the
// mappings are in place, execs itself once more (see waitForMapping).
func EnterUserNS() error {
	switch os.Getenv(envUserNS) {
	case "1":
		if os.Geteuid() == 0 {
			return dieWithParent()
		}
	case "wait":
		return waitForMapping()
	}
	if os.Geteuid() == 0 {
		return nil
	}
	m, warning := userMapping()
	// The pocket inside says it, once per store (see UserNSWarning): the
	// store is not known before the command line is parsed.
	os.Setenv(envWarning, warning)
	code, err := runInUserNS(m)
	if err != nil {
		return err
	}
	os.Exit(code)
	return nil
}

// dieWithParent re-arms the parent-death signal inside the namespace: the
// kernel clears it when credentials change on exec, as they do when this
// process execs as uid 0 here, and the outer pocket must never leave an
// inner one running (holding the user's terminal or pipes) when it is killed.
func dieWithParent() error {
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0); err != nil {
		return &os.SyscallError{Syscall: "prctl(PR_SET_PDEATHSIG)", Err: err}
	}
	if os.Getppid() == 1 { // the parent died before the signal was armed
		os.Exit(125)
	}
	return nil
}

// mapping is how the user's ids appear inside the namespace.
type mapping struct {
	uid, gid         int
	subuids, subgids []IDRange // nil: the user's own ids alone
	newuidmap        string
	newgidmap        string
}

// userMapping finds the user's subordinate ids and the helpers that may
// map them; without either it returns a single-id mapping and the warning
// to print.
func userMapping() (mapping, string) {
	m := mapping{uid: os.Getuid(), gid: os.Getgid()}
	name := strconv.Itoa(m.uid)
	if u, err := user.LookupId(name); err == nil {
		name = u.Username
	}
	m.subuids = subIDsFile("/etc/subuid", name, m.uid)
	m.subgids = subIDsFile("/etc/subgid", name, m.uid)
	subuid, _ := os.ReadFile("/etc/subuid")
	subgid, _ := os.ReadFile("/etc/subgid")
	free := FreeSubIDRange(subuid, subgid)
	ids := fmt.Sprintf("%d-%d", free.Start, free.Start+free.Count-1)
	fix := fmt.Sprintf("sudo usermod --add-subuids %s --add-subgids %s %s", ids, ids, name)
	if len(m.subuids) == 0 || len(m.subgids) == 0 {
		m.subuids, m.subgids = nil, nil
		return m, fmt.Sprintf("no subordinate ids for %s in /etc/subuid and /etc/subgid: running with your own id only, so files an image gives to other users become yours (hint: %s, then rerun)"+doctorHint, name, fix)
	}
	var errU, errG error
	m.newuidmap, errU = exec.LookPath("newuidmap")
	m.newgidmap, errG = exec.LookPath("newgidmap")
	if errU != nil || errG != nil {
		m.subuids, m.subgids = nil, nil
		return m, "newuidmap and newgidmap not found: running with your own id only, so files an image gives to other users become yours (hint: sudo apt-get install uidmap, then rerun)" + doctorHint
	}
	return m, ""
}

// subIDsFile reads one user's ranges; a missing or unreadable file has none.
func subIDsFile(path, name string, id int) []IDRange {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	r, _ := SubIDs(f, name, id)
	return r
}

// forwarded are the signals a user sends pocket that the process inside
// must get. Terminal-generated ones reach both (same process group), as
// with Podman; stop signals are left to the terminal.
var forwarded = []os.Signal{unix.SIGINT, unix.SIGTERM, unix.SIGHUP, unix.SIGQUIT, unix.SIGUSR1, unix.SIGUSR2}

// runInUserNS runs pocket again inside a new user namespace with m and
// returns its exit status (128+n when killed by signal n).
func runInUserNS(m mapping) (int, error) {
	exe := "/proc/self/exe"
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Args[0] = os.Args[0]
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: unix.CLONE_NEWUSER | unix.CLONE_NEWNS,
		// Pdeathsig follows the forking thread; it stays locked until exit.
		Pdeathsig: unix.SIGKILL,
	}
	runtime.LockOSThread()
	var syncW *os.File
	if m.subuids == nil {
		// The kernel lets a user map itself: Go writes the maps between
		// clone and exec, so the child execs as uid 0 already.
		cmd.Env = setenv(os.Environ(), envUserNS, "1")
		cmd.SysProcAttr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: m.uid, Size: 1}}
		cmd.SysProcAttr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: m.gid, Size: 1}}
		cmd.SysProcAttr.GidMappingsEnableSetgroups = false
	} else {
		r, w, err := os.Pipe()
		if err != nil {
			return 0, err
		}
		defer r.Close()
		defer w.Close()
		syncW = w
		cmd.Env = setenv(os.Environ(), envUserNS, "wait")
		cmd.ExtraFiles = []*os.File{r} // syncFD
	}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwarded...)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("%w: %v (hint: allow unprivileged user namespaces: sysctl kernel.unprivileged_userns_clone=1 user.max_user_namespaces=15000)"+doctorHint, ErrNoUserNS, err)
	}
	if syncW != nil {
		cmd.ExtraFiles[0].Close()
		if err := writeMappings(cmd.Process.Pid, m); err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			return 0, err
		}
		if _, err := syncW.Write([]byte{0}); err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			return 0, fmt.Errorf("start pocket in its user namespace: %w", err)
		}
		syncW.Close()
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for {
		select {
		case s := <-sigs:
			cmd.Process.Signal(s)
		case err := <-done:
			st := cmd.ProcessState
			if st == nil {
				return 0, err
			}
			if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				return 128 + int(ws.Signal()), nil
			}
			return st.ExitCode(), nil
		}
	}
}

// writeMappings runs newuidmap and newgidmap for pid, which map the user
// to 0 and the subordinate ranges from 1 on.
func writeMappings(pid int, m mapping) error {
	for _, h := range []struct {
		tool   string
		own    int
		ranges []IDRange
		file   string
	}{
		{m.newuidmap, m.uid, m.subuids, "/etc/subuid"},
		{m.newgidmap, m.gid, m.subgids, "/etc/subgid"},
	} {
		var out bytes.Buffer
		cmd := exec.Command(h.tool, append([]string{strconv.Itoa(pid)}, idMapArgs(h.own, h.ranges)...)...)
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			msg := strings.TrimSpace(out.String())
			if msg == "" {
				msg = err.Error()
			}
			return fmt.Errorf("%w: %s: %s (hint: check your ranges in %s, and that %s is setuid root)"+doctorHint, ErrNoUserNS, h.tool, msg, h.file, h.tool)
		}
	}
	return nil
}

// waitForMapping is the child's side: it blocks until the parent has
// written its id mappings, then execs pocket again, now as uid 0 in the
// namespace and so with its full capabilities there.
func waitForMapping() error {
	sync := os.NewFile(syncFD, "userns-sync")
	var b [1]byte
	_, err := io.ReadFull(sync, b[:])
	sync.Close()
	if err != nil {
		// The parent died or gave up; it has said why.
		os.Exit(125)
	}
	env := setenv(os.Environ(), envUserNS, "1")
	err = unix.Exec("/proc/self/exe", os.Args, env)
	return &os.PathError{Op: "exec", Path: "/proc/self/exe", Err: err}
}

// setenv returns env with key set to value (replacing any earlier value).
func setenv(env []string, key, value string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if !strings.HasPrefix(kv, key+"=") {
			out = append(out, kv)
		}
	}
	return append(out, key+"="+value)
}
