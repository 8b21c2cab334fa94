//go:build linux

package e2e

// End-to-end tests of the isolation holes of issue 10 (items 4-7): the host
// kernel keyring, descriptors inherited from pocket's caller
// (CVE-2024-21626), pocket's own binary and descriptors in the container
// (CVE-2019-5736) and numeric users past 32 bits. Each runs as root and,
// where it applies, as an unprivileged user.

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sys/unix"

	"pocket/internal/testimages"
)

// side is pocket run as root or as an unprivileged user (rootless), for
// tests that must hold both ways.
type side struct {
	name  string
	cmd   func(args ...string) *exec.Cmd // pocket args..., not started
	store string
}

func (s side) pocket(t *testing.T, args ...string) result {
	t.Helper()
	return runToEnd(t, s.cmd(args...), s.name+": pocket "+strings.Join(args, " "))
}

func (s side) must(t *testing.T, args ...string) result {
	t.Helper()
	r := s.pocket(t, args...)
	if r.Code != 0 {
		t.Fatalf("%s: pocket %s: %s", s.name, strings.Join(args, " "), r)
	}
	return r
}

// bothSides runs fn as root and rootless.
func bothSides(t *testing.T, fn func(t *testing.T, s side)) {
	t.Run("root", func(t *testing.T) {
		root := newRoot(t)
		fn(t, side{name: "root", store: root, cmd: func(args ...string) *exec.Cmd { return pocketCmd(t, root, args...) }})
	})
	t.Run("rootless", func(t *testing.T) {
		e := newRootlessEnv(t, userWithSubIDs)
		fn(t, side{name: e.user.name, store: e.store(), cmd: e.cmd})
	})
}

// containerState is what state.json records of a running container.
type containerState struct {
	Pid        int `json:"pid"`
	MonitorPid int `json:"monitorPid"`
}

func stateOf(t *testing.T, store, id string) containerState {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(store, "containers", id, "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	var st containerState
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestHardeningSessionKeyring: a container gets a session keyring of its
// own, so it neither reads the keys of the session pocket was started from
// nor leaves keys in it (issue 10, item 4). The host's session keyring is
// a new one made for the test on its own thread: a process possesses its
// session keyring, so without the fix the container could read the key's
// payload.
func TestHardeningSessionKeyring(t *testing.T) {
	bin, err := testimages.Program("keyring")
	if err != nil {
		t.Fatal(err)
	}
	pushImage(t, "keyring", nil, testimages.File("usr/local/bin/keyring", string(bin), 0o755))
	hostProgram := filepath.Join(t.TempDir(), "keyring")
	if err := os.WriteFile(hostProgram, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	bothSides(t, func(t *testing.T, s side) {
		// Processes started from this thread (pocket too) inherit its
		// session keyring, a new one. The thread must live on: children
		// started from it by other tests have it as their parent-death
		// signal's parent (the registry), so it leaves with yet another
		// empty keyring instead of exiting locked.
		runtime.LockOSThread()
		newSessionKeyring(t)
		defer runtime.UnlockOSThread()
		defer newSessionKeyring(t)
		const secret, desc, left = "host secret", "pocket-e2e-secret", "pocket-e2e-left"
		id, err := unix.AddKey("user", desc, []byte(secret), unix.KEY_SPEC_SESSION_KEYRING)
		if err != nil {
			t.Fatalf("add a host key: %v", err)
		}
		// The test is not vacuous: a host process started from here reads it.
		host := runToEnd(t, exec.Command(hostProgram, "read", desc), "keyring read on the host")
		if !strings.Contains(host.Stdout, secret) {
			t.Fatalf("the host program cannot read the host key itself: %s", host)
		}

		// With the default seccomp profile keyctl and add_key fail with
		// EPERM; unconfined, the container's own session keyring is what
		// keeps the host's keys out of reach.
		unconfined := []string{"--security-opt", "seccomp=unconfined"}
		for _, opts := range [][]string{nil, unconfined} {
			for _, args := range [][]string{{"read", desc}, {"read-id", strconv.Itoa(id)}} {
				run := append(append(append([]string{"run", "--rm"}, opts...), "keyring", "keyring"), args...)
				r := s.pocket(t, run...)
				if r.Code == 0 || strings.Contains(r.Stdout, secret) {
					t.Errorf("container ran keyring %v %v: it reached the host's session key\n%s", opts, args, r)
				}
			}
		}
		if r := s.pocket(t, "run", "--rm", "keyring", "keyring", "add", left, "from the container"); r.Code == 0 || !strings.Contains(r.Stderr, "operation not permitted") {
			t.Errorf("add_key under the default seccomp profile: want EPERM\n%s", r)
		}
		s.must(t, append(append([]string{"run", "--rm"}, unconfined...), "keyring", "keyring", "add", left, "from the container")...)
		if kid, err := unix.KeyctlSearch(unix.KEY_SPEC_SESSION_KEYRING, "user", left, 0); !errors.Is(err, unix.ENOKEY) {
			t.Errorf("a key the container added is in the host's session keyring (key %d, %v)", kid, err)
		}
		if s.name == "root" {
			// Keys of uid 0 are listed to the host's root: the container's
			// keyring and its key go with the container.
			eventually(t, "the container's key is gone from /proc/keys", func() bool {
				b, err := os.ReadFile("/proc/keys")
				return err == nil && !bytes.Contains(b, []byte(left))
			})
		}
	})
}

// newSessionKeyring makes the calling thread join a new, anonymous
// session keyring.
func newSessionKeyring(t *testing.T) {
	t.Helper()
	if _, _, errno := unix.Syscall(unix.SYS_KEYCTL, unix.KEYCTL_JOIN_SESSION_KEYRING, 0, 0); errno != 0 {
		t.Fatalf("join a new session keyring: %v", errno)
	}
}

// inheritedFDs starts cmd with descriptors 5 to 9 open and not
// close-on-exec, as a careless caller leaves them (`exec 7</`): 7 is a
// host directory holding a file named marker, the others host files.
func inheritedFDs(t *testing.T, cmd *exec.Cmd) (dir string, paths []string) {
	t.Helper()
	dir = t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "host-marker"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd.ExtraFiles = []*os.File{nil, nil} // 3 and 4 closed
	for fd := 5; fd <= 9; fd++ {
		p := filepath.Join(dir, "host-marker")
		if fd == 7 {
			p = dir
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		cmd.ExtraFiles = append(cmd.ExtraFiles, f)
		paths = append(paths, p)
	}
	return dir, paths
}

// TestHardeningInheritedFDs: CVE-2024-21626. Descriptors pocket inherits
// reach neither the container nor its monitor, and the working directory
// cannot be one of them: `exec 7</host/dir; pocket run -w /proc/self/fd/7`
// must not start the command in the host's filesystem (issue 10, item 5).
func TestHardeningInheritedFDs(t *testing.T) {
	bothSides(t, func(t *testing.T, s side) {
		s.must(t, "pull", "-q", "busybox")
		t.Run("working directory through an inherited descriptor", func(t *testing.T) {
			cmd := s.cmd("run", "--rm", "-w", "/proc/self/fd/7", "busybox", "ls", "-a")
			inheritedFDs(t, cmd)
			r := runToEnd(t, cmd, "pocket run -w /proc/self/fd/7")
			if strings.Contains(r.Stdout, "host-marker") {
				t.Fatalf("the command ran in the host directory behind fd 7:\n%s", r)
			}
			if r.Code == 0 {
				t.Logf("ran inside the container:\n%s", r)
			}
		})
		// runc's CVE-2024-21626 was init's own descriptor (a host cgroup
		// directory), not an inherited one: none of init's may be a way out.
		t.Run("working directory through init's descriptors", func(t *testing.T) {
			for fd := 3; fd <= 16; fd++ {
				w := "/proc/self/fd/" + strconv.Itoa(fd)
				r := s.pocket(t, "run", "--rm", "-w", w, "busybox", "sh", "-c", "pwd")
				if r.Code == 0 && !strings.HasPrefix(r.Stdout, "/") {
					t.Errorf("-w %s: the command started outside the container's root:\n%s", w, r)
				}
			}
		})
		t.Run("container sees stdio only", func(t *testing.T) {
			cmd := s.cmd("run", "--rm", "busybox", "ls", "/proc/self/fd")
			inheritedFDs(t, cmd)
			r := runToEnd(t, cmd, "pocket run ls /proc/self/fd")
			// 3 is the directory ls reads.
			if got := lines(r.Stdout); r.Code != 0 || !slices.Equal(got, []string{"0", "1", "2", "3"}) {
				t.Errorf("open descriptors in the container: %q, want 0 1 2 (and ls's 3)\n%s", got, r)
			}
		})
		t.Run("detached monitor and init hold none", func(t *testing.T) {
			cmd := s.cmd("run", "-d", "busybox", "sleep", "300")
			_, paths := inheritedFDs(t, cmd)
			r := runToEnd(t, cmd, "pocket run -d")
			if r.Code != 0 {
				t.Fatalf("run -d: %s", r)
			}
			id := strings.TrimSpace(r.Stdout)
			defer s.pocket(t, "rm", "-f", id)
			st := stateOf(t, s.store, id)
			for what, pid := range map[string]int{"monitor": st.MonitorPid, "container": st.Pid} {
				for fd, target := range openFiles(t, pid) {
					if slices.Contains(paths, target) {
						t.Errorf("the %s (pid %d) holds inherited fd %s -> %s", what, pid, fd, target)
					}
				}
			}
		})
	})
}

// openFiles maps each descriptor of pid to what it points at.
func openFiles(t *testing.T, pid int) map[string]string {
	t.Helper()
	dir := "/proc/" + strconv.Itoa(pid) + "/fd"
	names, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, n := range names {
		if target, err := os.Readlink(filepath.Join(dir, n.Name())); err == nil {
			out[n.Name()] = target
		}
	}
	return out
}

// TestHardeningInitReaper: CVE-2019-5736 and issue 10, item 6. With --init
// PID 1 is pocket's binary: the container's root may neither read its
// descriptors nor open its binary, it holds no host file, and its binary is
// a read-only mount.
func TestHardeningInitReaper(t *testing.T) {
	before := sha(t, pocketBin)
	bothSides(t, func(t *testing.T, s side) {
		t.Run("container root cannot reach PID 1", func(t *testing.T) {
			const script = `
for f in /proc/1/exe /proc/1/cwd /proc/1/root /proc/1/fd/*; do
	readlink "$f" >/dev/null 2>&1 && echo "REACHED readlink $f"
done
cat /proc/1/exe >/dev/null 2>&1 && echo "REACHED read /proc/1/exe"
( : >>/proc/1/exe ) 2>/dev/null && echo "REACHED write /proc/1/exe"
cat /proc/1/environ >/dev/null 2>&1 && echo "REACHED read /proc/1/environ"
echo done`
			r := s.pocket(t, "run", "--rm", "--init", "busybox", "sh", "-c", script)
			if r.Code != 0 || !strings.HasSuffix(r.Stdout, "done\n") || strings.Contains(r.Stdout, "REACHED") {
				t.Errorf("the container reached pocket's --init process:\n%s", r)
			}
		})
		t.Run("reaper holds no host file", func(t *testing.T) {
			id := strings.TrimSpace(s.must(t, "run", "-d", "--init", "busybox", "sleep", "300").Stdout)
			defer s.pocket(t, "rm", "-f", id)
			pid := stateOf(t, s.store, id).Pid
			checkNoHostFiles(t, pid)
			checkReadOnlyExe(t, pid)
		})
	})
	if after := sha(t, pocketBin); !bytes.Equal(before, after) {
		t.Errorf("pocket's binary changed")
	}
}

// checkNoHostFiles fails for any descriptor of pid that is a file or
// directory: pipes, sockets, devices, anonymous inodes and the container's
// own procfs are all the reaper may keep (the Go runtime's, pathrs's).
func checkNoHostFiles(t *testing.T, pid int) {
	t.Helper()
	for fd, target := range openFiles(t, pid) {
		p := "/proc/" + strconv.Itoa(pid) + "/fd/" + fd
		var st unix.Stat_t
		var fs unix.Statfs_t
		if err := unix.Stat(p, &st); err != nil {
			continue // closed meanwhile
		}
		if err := unix.Statfs(p, &fs); err != nil {
			continue
		}
		switch {
		case st.Mode&unix.S_IFMT == unix.S_IFIFO, st.Mode&unix.S_IFMT == unix.S_IFSOCK,
			st.Mode&unix.S_IFMT == unix.S_IFCHR, fs.Type == unix.ANON_INODE_FS_MAGIC,
			fs.Type == unix.PROC_SUPER_MAGIC:
		default:
			t.Errorf("pid %d holds fd %s -> %s (filesystem %#x)", pid, fd, target, fs.Type)
		}
	}
}

// checkReadOnlyExe fails unless /proc/pid/exe is on a read-only mount or a
// sealed memfd: nothing that reaches it can write pocket's binary.
func checkReadOnlyExe(t *testing.T, pid int) {
	t.Helper()
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/exe")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var fs unix.Statfs_t
	if err := unix.Fstatfs(int(f.Fd()), &fs); err != nil {
		t.Fatal(err)
	}
	if fs.Flags&unix.ST_RDONLY != 0 {
		return
	}
	if seals, err := unix.FcntlInt(f.Fd(), unix.F_GET_SEALS, 0); err == nil && seals&unix.F_SEAL_WRITE != 0 {
		return
	}
	t.Errorf("pid %d runs pocket's binary from a writable file", pid)
}

func sha(t *testing.T, p string) []byte {
	t.Helper()
	b, err := fileSum(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHardeningShebangSelfExe: CVE-2019-5736. An entrypoint script whose
// interpreter is #!/proc/self/exe makes init exec the binary it runs from
// inside the container. That is pocket's container init, not pocket: a
// program that runs nothing but a container start it is handed on its
// pipes (which the container does not have), so it refuses at once, and
// it runs from a read-only file (TestHardeningInitReaper and ns's
// TestSealedExe check the file; here nothing of pocket's CLI, store or
// registry code is reachable, and the host's binary is unchanged).
func TestHardeningShebangSelfExe(t *testing.T) {
	pushImage(t, "shebang", func(c *v1.Config) {
		c.Entrypoint, c.Cmd = []string{"/evil"}, nil
	}, testimages.File("evil", "#!/proc/self/exe load\n", 0o755))
	before := sha(t, pocketBin)
	root := newRoot(t)
	mustPocket(t, root, "pull", "-q", "shebang")
	r := pocket(t, root, "run", "--rm", "shebang")
	if r.Code != 125 || !strings.Contains(r.Stderr, "pocket init: this is the container side of pocket") {
		t.Errorf("run of a #!/proc/self/exe entrypoint = %d, %q; want 125 and pocket init's refusal", r.Code, r.Stderr)
	}
	if after := sha(t, pocketBin); !bytes.Equal(before, after) {
		t.Errorf("pocket's binary changed")
	}
}

// TestHardeningUserRange: issue 10, item 7. A numeric uid or gid past
// 2^31-1 is refused (exit 125, Docker's words): wrapped to 32 bits,
// 4294967296 would be root with the default capabilities.
func TestHardeningUserRange(t *testing.T) {
	pushImage(t, "user-wraps", func(c *v1.Config) { c.User = "4294967296" })
	root := newRoot(t)
	for _, args := range [][]string{
		{"-u", "4294967296", "busybox", "id", "-u"},
		{"-u", "0:4294967296", "busybox", "id", "-u"},
		{"-u", "-1", "busybox", "id", "-u"},
		{"-u", "2147483648:0", "busybox", "id", "-u"},
		{"user-wraps", "id", "-u"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := pocket(t, root, append([]string{"run", "--rm"}, args...)...)
			if r.Code != 125 || !strings.Contains(r.Stderr, "uids and gids must be in range 0-2147483647") || r.Stdout != "" {
				t.Errorf("want exit 125 saying uids and gids must be in range 0-2147483647, got %s", r)
			}
		})
	}
	if got := strings.TrimSpace(mustPocket(t, root, "run", "--rm", "-u", "2147483647", "busybox", "id", "-u").Stdout); got != "2147483647" {
		t.Errorf("-u 2147483647: id -u = %q", got)
	}
	if ps := mustPocket(t, root, "ps", "-aq").Stdout; ps != "" {
		t.Errorf("containers left by refused users: %q", ps)
	}
}
