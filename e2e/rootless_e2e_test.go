//go:build linux

package e2e

// Rootless end-to-end tests: as root, they make two unprivileged users
// (one with subordinate ids, one without) and run the real pocket binary
// as each of them, the way a developer runs it without sudo.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"pocket/internal/testimages"
	"pocket/ns"
)

// The test users. pocketuser owns subordinate ids from subIDStart, so
// image uid n is host uid subIDStart+n-1; pocketnosub owns none.
const (
	userWithSubIDs = "pocketuser"
	userNoSubIDs   = "pocketnosub"
	subIDStart     = 200000
	subIDCount     = 65536
)

// testUser is an unprivileged account the tests run pocket as.
type testUser struct {
	name     string
	uid, gid int
	home     string
}

var (
	usersOnce sync.Once
	usersErr  error
	users     map[string]testUser
)

// rootlessUsers makes sure both test users exist with the right
// subordinate ids (creating or fixing them; they are kept for later runs).
func rootlessUsers(t *testing.T) map[string]testUser {
	t.Helper()
	usersOnce.Do(func() {
		users = map[string]testUser{}
		for _, u := range []struct {
			name   string
			subIDs bool
		}{{userWithSubIDs, true}, {userNoSubIDs, false}} {
			var tu testUser
			if tu, usersErr = ensureUser(u.name, u.subIDs); usersErr != nil {
				return
			}
			users[u.name] = tu
		}
	})
	if usersErr != nil {
		t.Fatalf("rootless test users: %v", usersErr)
	}
	return users
}

// ensureUser creates name if missing (without Debian's automatic
// subordinate ids) and gives it exactly the test range, or none.
func ensureUser(name string, subIDs bool) (testUser, error) {
	if _, err := user.Lookup(name); err != nil {
		if err := sh("useradd", "-m", "-K", "SUB_UID_COUNT=0", "-K", "SUB_GID_COUNT=0", name); err != nil {
			return testUser{}, err
		}
	}
	u, err := user.Lookup(name)
	if err != nil {
		return testUser{}, err
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	want := fmt.Sprintf("%d-%d", subIDStart, subIDStart+subIDCount-1)
	for _, f := range []struct{ file, add, del string }{
		{"/etc/subuid", "--add-subuids", "--del-subuids"},
		{"/etc/subgid", "--add-subgids", "--del-subgids"},
	} {
		ranges, err := subIDsOf(f.file, name, uid)
		if err != nil {
			return testUser{}, err
		}
		have := false
		for _, r := range ranges {
			s := fmt.Sprintf("%d-%d", r.Start, r.Start+r.Count-1)
			if subIDs && s == want {
				have = true
				continue
			}
			if err := sh("usermod", f.del, s, name); err != nil {
				return testUser{}, err
			}
		}
		if subIDs && !have {
			if err := sh("usermod", f.add, want, name); err != nil {
				return testUser{}, err
			}
		}
	}
	return testUser{name: name, uid: uid, gid: gid, home: u.HomeDir}, nil
}

func subIDsOf(file, name string, id int) ([]ns.IDRange, error) {
	f, err := os.Open(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ns.SubIDs(f, name, id)
}

func sh(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

// rootlessEnv is one user's world for a test: pocket copied where the
// user can run it, and a data directory (XDG_DATA_HOME) the user owns, so
// the store is pocket's default $XDG_DATA_HOME/pocket.
type rootlessEnv struct {
	user testUser
	bin  string
	dir  string   // the test's directory, world-searchable
	data string   // XDG_DATA_HOME
	env  []string // more environment for every command
	// cgroup, when set, is the cgroup v2 directory the user's commands
	// start in (CLONE_INTO_CGROUP), as a login session's scope.
	cgroup *os.File
}

func (e rootlessEnv) store() string { return filepath.Join(e.data, "pocket") }

func newRootlessEnv(t *testing.T, name string) rootlessEnv {
	t.Helper()
	u := rootlessUsers(t)[name]
	dir := t.TempDir()
	// t.TempDir's parent is private to root; the user must reach in.
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	e := rootlessEnv{user: u, bin: filepath.Join(dir, "pocket"), dir: dir, data: filepath.Join(dir, "data")}
	if err := copyFile(pocketBin, e.bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(e.data, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(e.data, u.uid, u.gid); err != nil {
		t.Fatal(err)
	}
	return e
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// cmd is `pocket --registry-mirror URL args...` as the user, not started.
func (e rootlessEnv) cmd(args ...string) *exec.Cmd {
	all := append([]string{"--reuid=" + strconv.Itoa(e.user.uid), "--regid=" + strconv.Itoa(e.user.gid), "--init-groups", "--",
		e.bin, "--registry-mirror", testRegistry.URL}, args...)
	cmd := exec.Command("setpriv", all...)
	cmd.Dir = e.dir
	cmd.Env = append(testEnv(), "HOME="+e.user.home, "USER="+e.user.name, "LOGNAME="+e.user.name,
		"XDG_DATA_HOME="+e.data)
	cmd.Env = append(cmd.Env, e.env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if e.cgroup != nil {
		cmd.SysProcAttr.UseCgroupFD = true
		cmd.SysProcAttr.CgroupFD = int(e.cgroup.Fd())
	}
	return cmd
}

// pocket runs one pocket command as the user to completion.
func (e rootlessEnv) pocket(t *testing.T, args ...string) result {
	t.Helper()
	return runToEnd(t, e.cmd(args...), e.user.name+": pocket "+strings.Join(args, " "))
}

// must is pocket that fails the test unless the command exits 0.
func (e rootlessEnv) must(t *testing.T, args ...string) result {
	t.Helper()
	r := e.pocket(t, args...)
	if r.Code != 0 {
		t.Fatalf("%s: pocket %s: %s", e.user.name, strings.Join(args, " "), r)
	}
	return r
}

// out runs a command in a busybox container and returns its trimmed stdout.
func (e rootlessEnv) out(t *testing.T, args ...string) string {
	t.Helper()
	return e.runOut(t, append([]string{"busybox"}, args...)...)
}

// runOut is `run --rm args...` (flags, image, command): its trimmed stdout.
func (e rootlessEnv) runOut(t *testing.T, args ...string) string {
	t.Helper()
	return strings.TrimSpace(e.must(t, append([]string{"run", "--rm"}, args...)...).Stdout)
}

// status is the STATUS `ps -a` shows for the container named name.
func (e rootlessEnv) status(t *testing.T, name string) string {
	t.Helper()
	for _, l := range lines(e.must(t, "ps", "-a", "--format", "json").Stdout) {
		var row struct{ Names, Status string }
		if err := json.Unmarshal([]byte(l), &row); err != nil {
			t.Fatal(err)
		}
		if row.Names == name {
			return row.Status
		}
	}
	return ""
}

func ownerOf(t *testing.T, p string) int {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Lstat(p, &st); err != nil {
		t.Fatal(err)
	}
	return int(st.Uid)
}

func TestRootlessRun(t *testing.T) {
	e := newRootlessEnv(t, userWithSubIDs)

	r := e.must(t, "pull", "busybox")
	if strings.Contains(r.Stderr, "warning") {
		t.Errorf("a user with subordinate ids got a warning:\n%s", r.Stderr)
	}

	t.Run("root inside", func(t *testing.T) {
		if got := e.out(t, "id", "-u"); got != "0" {
			t.Errorf("id -u = %q, want 0", got)
		}
	})
	t.Run("image ownership kept", func(t *testing.T) {
		if got := e.out(t, "stat", "-c", "%u:%g", testimages.OwnedByApp); got != "1000:1000" {
			t.Errorf("owner of %s = %q, want 1000:1000", testimages.OwnedByApp, got)
		}
		if got := e.out(t, "stat", "-c", "%u:%g", "/etc/passwd"); got != "0:0" {
			t.Errorf("owner of /etc/passwd = %q, want 0:0", got)
		}
	})
	t.Run("store belongs to the user on the host", func(t *testing.T) {
		if got := ownerOf(t, e.store()); got != e.user.uid {
			t.Errorf("store %s owned by uid %d, want %s's %d", e.store(), got, e.user.name, e.user.uid)
		}
		layers, _ := filepath.Glob(filepath.Join(e.store(), "layers", "*", "diff"))
		if len(layers) == 0 {
			t.Fatalf("no layer directories in %s", e.store())
		}
		for _, l := range layers {
			if got := ownerOf(t, l); got != e.user.uid {
				t.Errorf("layer %s owned by uid %d, want %d", l, got, e.user.uid)
			}
		}
		// Image uid 1000 is the 1000th subordinate id on the host.
		owned, _ := filepath.Glob(filepath.Join(e.store(), "layers", "*", "diff", strings.TrimPrefix(testimages.OwnedByApp, "/")))
		if len(owned) != 1 {
			t.Fatalf("%s in the layers: found %v", testimages.OwnedByApp, owned)
		}
		if got, want := ownerOf(t, owned[0]), subIDStart+1000-1; got != want {
			t.Errorf("%s owned on the host by uid %d, want %d", owned[0], got, want)
		}
	})
	t.Run("user in the image", func(t *testing.T) {
		r := e.must(t, "run", "--rm", "--user", "1000:1000", "busybox", "id", "-u")
		if got := strings.TrimSpace(r.Stdout); got != "1000" {
			t.Errorf("--user 1000: id -u = %q, want 1000", got)
		}
	})
	t.Run("hello-world", func(t *testing.T) {
		r := e.must(t, "run", "--rm", "hello-world")
		if !strings.Contains(r.Stdout, testimages.HelloOutput) {
			t.Errorf("hello-world printed %q, want %q", r.Stdout, testimages.HelloOutput)
		}
	})
	t.Run("writable rootfs", func(t *testing.T) {
		if got := e.out(t, "sh", "-c", "echo x > /home/app/new && chown 1000 /home/app/new && stat -c %u /home/app/new"); got != "1000" {
			t.Errorf("chown inside the container: owner %q, want 1000", got)
		}
	})
	t.Run("bind mount of the user's directory", func(t *testing.T) {
		host := filepath.Join(e.dir, "shared")
		if err := os.Mkdir(host, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(host, e.user.uid, e.user.gid); err != nil {
			t.Fatal(err)
		}
		got := e.runOut(t, "-v", host+":/shared", "busybox", "sh", "-c", "echo hi > /shared/f && stat -c %u /shared/f")
		if got != "0" {
			t.Errorf("file written in the bind mount: owner inside %q, want 0", got)
		}
		b, err := os.ReadFile(filepath.Join(host, "f"))
		if err != nil || string(b) != "hi\n" {
			t.Fatalf("written in the container: %q, %v", b, err)
		}
		// Container root is the user on the host.
		if got := ownerOf(t, filepath.Join(host, "f")); got != e.user.uid {
			t.Errorf("on the host the file belongs to uid %d, want %d", got, e.user.uid)
		}
	})
	t.Run("named volume", func(t *testing.T) {
		e.must(t, "run", "--rm", "-v", "rootlessdata:/data", "busybox", "sh", "-c", "echo kept > /data/f")
		if got := e.runOut(t, "-v", "rootlessdata:/data", "busybox", "cat", "/data/f"); got != "kept" {
			t.Errorf("second container read %q from the volume, want %q", got, "kept")
		}
		e.must(t, "volume", "rm", "rootlessdata")
	})
	t.Run("detached, logs, rm", func(t *testing.T) {
		id := strings.TrimSpace(e.must(t, "run", "-d", "busybox", "echo", "from the background").Stdout)
		if len(id) != 64 {
			t.Fatalf("run -d printed %q, want a container ID", id)
		}
		if got := strings.TrimSpace(e.must(t, "wait", id).Stdout); got != "0" {
			t.Errorf("wait = %q, want 0", got)
		}
		if got := e.must(t, "logs", id).Stdout; got != "from the background\n" {
			t.Errorf("logs = %q", got)
		}
		e.must(t, "rm", id)
		if r := e.must(t, "ps", "-a", "-q"); strings.TrimSpace(r.Stdout) != "" {
			t.Errorf("ps -a after rm: %q", r.Stdout)
		}
	})
	// stop and kill run in a user namespace of their own, from which the
	// user may not signal a process of a subordinate uid: the container's
	// monitor does it for them.
	t.Run("stop a non-root container", func(t *testing.T) {
		e.must(t, "run", "-d", "--name", "sleeper", "-u", "1000", "busybox", "sleep", "300")
		e.must(t, "stop", "-t", "1", "sleeper")
		// sleep as PID 1 ignores TERM; KILL ends it.
		if st := e.status(t, "sleeper"); !strings.HasPrefix(st, "Exited (137) ") {
			t.Errorf("ps -a after stop: %q, want Exited (137) ...", st)
		}
		e.must(t, "rm", "sleeper")
	})
	t.Run("kill a non-root container", func(t *testing.T) {
		e.must(t, "run", "-d", "--name", "trap", "-u", "1000", "busybox", "sh", "-c",
			`trap "echo got; exit 7" USR1; echo ready; while true; do sleep 0.1; done`)
		for i := 0; e.must(t, "logs", "trap").Stdout != "ready\n"; i++ {
			if i == 600 {
				t.Fatal("the container never said ready")
			}
			time.Sleep(100 * time.Millisecond)
		}
		e.must(t, "kill", "-s", "USR1", "trap")
		if got := strings.TrimSpace(e.must(t, "wait", "trap").Stdout); got != "7" {
			t.Errorf("wait after kill -s USR1 = %q, want 7 (the trap's exit)", got)
		}
		if got := e.must(t, "logs", "trap").Stdout; got != "ready\ngot\n" {
			t.Errorf("logs = %q, want ready and got", got)
		}
		e.must(t, "rm", "trap")
	})
	t.Run("network host and none", func(t *testing.T) {
		host, err := os.ReadFile("/proc/net/dev")
		if err != nil {
			t.Fatal(err)
		}
		got := e.runOut(t, "--network", "host", "busybox", "cat", "/proc/net/dev")
		if want := len(lines(string(host))); len(lines(got)) != want {
			t.Errorf("--network host sees %d lines of /proc/net/dev, the host %d:\n%s", len(lines(got)), want, got)
		}
		// Explicit: the default is none or pasta, as the host's
		// /dev/net/tun and installed packages decide (TestNetworkRootless
		// checks both defaults on hosts it arranges).
		none := e.runOut(t, "--network", "none", "busybox", "cat", "/proc/net/dev")
		if n := len(lines(none)); n != 3 { // two header lines and lo
			t.Errorf("--network none sees %d lines of /proc/net/dev, want 3 (lo only):\n%s", n, none)
		}
	})
}

func TestRootlessNoSubIDs(t *testing.T) {
	e := newRootlessEnv(t, userNoSubIDs)
	r := e.must(t, "run", "--rm", "hello-world")
	if !strings.Contains(r.Stdout, testimages.HelloOutput) {
		t.Errorf("hello-world printed %q, want %q", r.Stdout, testimages.HelloOutput)
	}
	var warnings []string
	for _, l := range lines(r.Stderr) {
		if strings.Contains(l, "warning") {
			warnings = append(warnings, l)
		}
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "no subordinate ids for "+userNoSubIDs) ||
		!strings.Contains(warnings[0], "usermod --add-subuids") {
		t.Errorf("want one warning naming the missing ids and the fix, stderr:\n%s", r.Stderr)
	}
	// The suggested range is free in /etc/subuid and /etc/subgid: the test
	// user with ids owns the first 65536 from subIDStart.
	if len(warnings) == 1 && strings.Contains(warnings[0], fmt.Sprintf("--add-subuids %d-", subIDStart)) {
		t.Errorf("the hint suggests a range in use: %s", warnings[0])
	}
	// Once per store, not on every command.
	if r := e.must(t, "images"); strings.Contains(r.Stderr, "warning") {
		t.Errorf("second command warned again:\n%s", r.Stderr)
	}
	// With one id, the image's uid 1000 cannot be kept: the file is root's.
	if got := e.out(t, "stat", "-c", "%u", testimages.OwnedByApp); got != "0" {
		t.Errorf("owner of %s with a single-id mapping = %q, want 0", testimages.OwnedByApp, got)
	}
	if got := e.out(t, "id", "-u"); got != "0" {
		t.Errorf("id -u = %q, want 0", got)
	}
	if got := ownerOf(t, e.store()); got != e.user.uid {
		t.Errorf("store owned by uid %d, want %d", got, e.user.uid)
	}
}

// TestRootlessKilledRun: a rootless `pocket run` killed with SIGKILL takes
// the pocket inside its user namespace (the container's monitor), and so
// the container, with it: the container shows as exited, not left running
// behind a dead command. Both default networks are tried: none (no usable
// /dev/net/tun) and pasta (a usable one, as Debian ships it), whose helper
// process must not keep the container alive.
func TestRootlessKilledRun(t *testing.T) {
	e := newRootlessEnv(t, userWithSubIDs)
	e.must(t, "pull", "-q", "busybox")
	for _, tc := range []struct {
		name string
		tun  uint32
	}{{"network none", 0o600}, {"network pasta", 0o666}} {
		t.Run(tc.name, func(t *testing.T) {
			withTun(t, tc.tun)
			cmd := e.cmd("run", "--name", "killed", "busybox", "sh", "-c", "echo ready; while true; do sleep 1; done")
			startReady(t, cmd)
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			for i := 0; !strings.HasPrefix(e.status(t, "killed"), "Exited"); i++ {
				if i == 300 {
					t.Fatalf("the killed run's container shows %q, never exited; lock holders:\n%s", e.status(t, "killed"), lockHolders(t, e.store()))
				}
				time.Sleep(100 * time.Millisecond)
			}
			e.must(t, "rm", "killed")
		})
	}
}

// lockHolders lists the processes holding a flock on a file under the
// store's locks/, with their command lines: what keeps a container
// "running" when its monitor should be gone.
func lockHolders(t *testing.T, store string) string {
	t.Helper()
	locks, _ := filepath.Glob(filepath.Join(store, "locks", "*"))
	inodes := map[uint64]string{}
	for _, l := range locks {
		var st syscall.Stat_t
		if syscall.Stat(l, &st) == nil {
			inodes[st.Ino] = filepath.Base(l)
		}
	}
	b, _ := os.ReadFile("/proc/locks")
	var out strings.Builder
	for _, l := range lines(string(b)) {
		f := strings.Fields(l)
		if len(f) < 6 {
			continue
		}
		parts := strings.Split(f[5], ":")
		if len(parts) != 3 {
			continue
		}
		ino, _ := strconv.ParseUint(parts[2], 10, 64)
		name, ok := inodes[ino]
		if !ok {
			continue
		}
		cmdline, _ := os.ReadFile("/proc/" + f[4] + "/cmdline")
		status, _ := os.ReadFile("/proc/" + f[4] + "/status")
		ppid := ""
		for _, sl := range strings.Split(string(status), "\n") {
			if strings.HasPrefix(sl, "PPid:") {
				ppid = strings.TrimSpace(strings.TrimPrefix(sl, "PPid:"))
			}
		}
		fmt.Fprintf(&out, "%s held by pid %s (ppid %s): %s\n", name, f[4], ppid, strings.ReplaceAll(string(cmdline), "\x00", " "))
	}
	return out.String()
}
