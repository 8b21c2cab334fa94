//go:build linux

package e2e

// End-to-end tests of `pocket run` and the container lifecycle: the real
// binary, as root, with images pulled from the loopback registry.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"pocket/internal/testimages"
)

// pushed is the set of test images this file builds over busybox, pushed
// once a test binary run.
var pushed sync.Map

// pushImage builds busybox with cfg and extra entries and pushes it as
// library/<name>:latest, so that `pocket run <name>` pulls it.
func pushImage(t *testing.T, name string, cfg func(*v1.Config), entries ...testimages.Entry) {
	t.Helper()
	if _, done := pushed.Load(name); done {
		return
	}
	img, err := testimages.Busybox()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) > 0 {
		l, err := testimages.Layer(entries...)
		if err != nil {
			t.Fatal(err)
		}
		if img, err = mutate.AppendLayers(img, l); err != nil {
			t.Fatal(err)
		}
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := *cf.Config.DeepCopy()
	if cfg != nil {
		cfg(&c)
	}
	if img, err = mutate.Config(img, c); err != nil {
		t.Fatal(err)
	}
	if err := testRegistry.Push("library/"+name+":latest", img); err != nil {
		t.Fatal(err)
	}
	pushed.Store(name, true)
}

// runCmd runs a prepared pocket command to its end and returns what the
// user sees.
func runCmd(t *testing.T, cmd *exec.Cmd) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{Stdout: stdout.String(), Stderr: stderr.String()}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.Code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	return r
}

func TestRunHello(t *testing.T) {
	root := newRoot(t)
	r := mustPocket(t, root, "run", "--rm", "hello-world")
	if !strings.Contains(r.Stdout, testimages.HelloOutput) {
		t.Errorf("hello-world did not greet:\n%s", r)
	}
}

// TestRunImageArgument: IMAGE is parsed once, where the command line is
// read. Every spelling of Docker Hub (registry-1.docker.io included, which
// pull and the store once disagreed on) names the pulled image, an ID or ID
// prefix runs the image it names, and a malformed reference fails before
// anything is looked up or pulled.
func TestRunImageArgument(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "pull", "hello-world")
	hello, err := testimages.Hello()
	if err != nil {
		t.Fatal(err)
	}
	id := imageID(t, hello)
	for _, image := range []string{"registry-1.docker.io/library/hello-world", "index.docker.io/hello-world:latest", id, "sha256:" + mustConfigHex(t, hello)} {
		r := pocket(t, root, "run", "--rm", "--pull", "never", image)
		if r.Code != 0 || !strings.Contains(r.Stdout, testimages.HelloOutput) {
			t.Errorf("run %s: want the hello image\n%s", image, r)
		}
	}
	r := pocket(t, root, "run", "--rm", "Hello-World")
	if r.Code != 125 || !strings.Contains(r.Stderr, `invalid reference format "Hello-World"`) || strings.Contains(r.Stderr, "Unable to find") {
		t.Errorf("run Hello-World: want exit 125 and only the reference error\n%s", r)
	}
}

func TestRunCommandResolution(t *testing.T) {
	pushImage(t, "run-ep", func(c *v1.Config) {
		c.Entrypoint = []string{"/bin/echo", "ep"}
		c.Cmd = []string{"cmd"}
	})
	root := newRoot(t)
	tests := []struct {
		name string
		args []string
		want string
		code int
	}{
		{name: "cmd override", args: []string{"busybox", "echo", "hi"}, want: "hi\n"},
		{name: "entrypoint and cmd", args: []string{"run-ep"}, want: "ep cmd\n"},
		{name: "args replace cmd", args: []string{"run-ep", "x", "y"}, want: "ep x y\n"},
		{name: "--entrypoint drops image cmd", args: []string{"--entrypoint", "/bin/echo", "run-ep"}, want: "\n"},
		{name: "--entrypoint with args", args: []string{"--entrypoint", "/bin/echo", "run-ep", "a", "b"}, want: "a b\n"},
		{name: "empty --entrypoint clears it", args: []string{"--entrypoint", "", "run-ep", "echo", "z"}, want: "z\n"},
		{name: "no command at all", args: []string{"--entrypoint", "", "run-ep"}, code: 125},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := pocket(t, root, append([]string{"run", "--rm"}, tt.args...)...)
			if r.Code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", r.Code, tt.code, r)
			}
			if tt.code == 0 && r.Stdout != tt.want {
				t.Errorf("stdout %q, want %q", r.Stdout, tt.want)
			}
			if tt.code == 125 && !strings.Contains(r.Stderr, "no command specified") {
				t.Errorf("stderr does not say why:\n%s", r)
			}
		})
	}
}

func TestRunEnvAndWorkdir(t *testing.T) {
	pushImage(t, "run-env", func(c *v1.Config) {
		c.Env = append(c.Env, "FOO=image", "KEEP=kept")
		c.WorkingDir = "/home"
	})
	root := newRoot(t)
	envFile := filepath.Join(t.TempDir(), "env")
	if err := os.WriteFile(envFile, []byte("# a comment\nFILEVAR=from file\nFOO=file\n\nHOSTVAR\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	script := `echo "$FOO|$KEEP|$FILEVAR|$HOSTVAR|${UNSETVAR-unset}|$HOSTNAME|$PATH"; pwd`

	r := mustPocket(t, root, "run", "--rm", "--hostname", "box", "run-env", "sh", "-c", script)
	want := "image|kept|||unset|box|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n/home\n"
	if r.Stdout != want {
		t.Errorf("image env and workdir:\n got %q\nwant %q", r.Stdout, want)
	}

	cmd := pocketCmd(t, root, "run", "--rm", "--env-file", envFile, "-e", "FOO=flag", "-e", "HOSTVAR", "-e", "UNSETVAR",
		"-w", "/tmp", "run-env", "sh", "-c", script)
	cmd.Env = append(cmd.Env, "HOSTVAR=from host")
	r = runCmd(t, cmd)
	want = "flag|kept|from file|from host|unset|"
	if r.Code != 0 || !strings.HasPrefix(r.Stdout, want) || !strings.HasSuffix(r.Stdout, "\n/tmp\n") {
		t.Errorf("flags: want %q...\"/tmp\"\n%s", want, r)
	}
}

func TestRunExitStatus(t *testing.T) {
	root := newRoot(t)
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{name: "command's status", args: []string{"busybox", "sh", "-c", "exit 3"}, code: 3},
		// A signal a process dies of is 128+n. (The inner sh: PID 1 itself
		// ignores signals it has no handler for, as in Docker.)
		{name: "killed by SIGTERM", args: []string{"busybox", "sh", "-c", `sh -c 'kill -TERM $$'; exit $?`}, code: 143},
		{name: "not found", args: []string{"busybox", "nonexistent"}, code: 127, stderr: "nonexistent"},
		{name: "a directory", args: []string{"busybox", "/etc"}, code: 126, stderr: "/etc"},
		{name: "not executable", args: []string{"busybox", "/etc/passwd"}, code: 126, stderr: "/etc/passwd"},
		{name: "bad flag", args: []string{"--bogus", "busybox", "true"}, code: 125},
		{name: "no such image", args: []string{"--pull", "never", "nosuchimage", "true"}, code: 125, stderr: "no such image"},
		{name: "unknown network", args: []string{"--network", "mynet", "busybox", "true"}, code: 125,
			stderr: "network mynet is not supported yet"},
		{name: "bad capability", args: []string{"--cap-add", "NOPE", "busybox", "true"}, code: 125, stderr: "NOPE"},
		{name: "bad security opt", args: []string{"--security-opt", "bogus", "busybox", "true"}, code: 125, stderr: "bogus"},
		{name: "bad name", args: []string{"--name", "-x", "busybox", "true"}, code: 125, stderr: "invalid container name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := pocket(t, root, append([]string{"run", "--rm"}, tt.args...)...)
			if r.Code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", r.Code, tt.code, r)
			}
			if !strings.Contains(r.Stderr, tt.stderr) {
				t.Errorf("stderr does not mention %q:\n%s", tt.stderr, r)
			}
		})
	}
	// None of them left a container behind (--rm, or never created).
	if r := mustPocket(t, root, "ps", "-aq"); r.Stdout != "" {
		t.Errorf("containers left:\n%s", r.Stdout)
	}
}

func TestRunUser(t *testing.T) {
	root := newRoot(t)
	tests := []struct {
		name   string
		args   []string
		want   string
		code   int
		stderr string
	}{
		// uid 1000 is app in the image's /etc/passwd: its group and
		// supplementary groups come along, as in Docker.
		{name: "uid", args: []string{"-u", "1000", "busybox", "id"}, want: "uid=1000(app) gid=1000(app) groups=50(staff),1000(app),2000(extra)\n"},
		{name: "name", args: []string{"-u", "app", "busybox", "id"}, want: "uid=1000(app) gid=1000(app) groups=50(staff),1000(app),2000(extra)\n"},
		{name: "uid:gid", args: []string{"-u", "1000:1000", "busybox", "sh", "-c", "id -u; id -g"}, want: "1000\n1000\n"},
		{name: "uid not in passwd", args: []string{"-u", "4242", "busybox", "sh", "-c", "id -u; id -g; echo $HOME"}, want: "4242\n0\n/\n"},
		{name: "read-only rootfs", args: []string{"--read-only", "-u", "app", "busybox", "sh", "-c", "id -u; ls -d /bin"}, want: "1000\n/bin\n"},
		{name: "under --init", args: []string{"--init", "-u", "app", "busybox", "sh", "-c", "id -u; ls /proc/self/fd"}, want: "1000\n0\n1\n2\n3\n"},
		{name: "unknown user", args: []string{"-u", "nosuchuser", "busybox", "id"}, code: 125,
			stderr: "unable to find user nosuchuser: no matching entries in passwd file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := pocket(t, root, append([]string{"run", "--rm"}, tt.args...)...)
			if r.Code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", r.Code, tt.code, r)
			}
			if tt.code == 0 && r.Stdout != tt.want {
				t.Errorf("stdout %q, want %q\n%s", r.Stdout, tt.want, r)
			}
			if !strings.Contains(r.Stderr, tt.stderr) {
				t.Errorf("stderr does not say %q:\n%s", tt.stderr, r)
			}
		})
	}
}

func TestRunIsolation(t *testing.T) {
	root := newRoot(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "PID 1", args: []string{"sh", "-c", "echo $$"}, want: "1\n"},
		// ps is PID 1 here: nothing of the host is listed.
		{name: "only its own processes", args: []string{"ps", "-o", "pid,comm"}, want: "PID   COMMAND\n    1 ps\n"},
		// bridge, the default as root: eth0 besides lo.
		{name: "own network", args: []string{"ls", "/sys/class/net"}, want: "eth0\nlo\n"},
		// Docker's masked paths read empty (this kernel may lack kcore).
		{name: "proc masked", args: []string{"sh", "-c", "cat /proc/keys /proc/timer_list | wc -c; [ ! -e /proc/kcore ] || wc -c < /proc/kcore"}, want: "0\n"},
		{name: "proc sys read-only", args: []string{"sh", "-c", "cat /proc/sys/kernel/hostname > /proc/sys/kernel/hostname && echo writable || echo read-only"}, want: "read-only\n"},
		// 3 is ls's own directory.
		{name: "no host fds", args: []string{"ls", "/proc/self/fd"}, want: "0\n1\n2\n3\n"},
		{name: "hostname is the short id", args: []string{"sh", "-c", `[ "$(hostname)" = "$(cat /etc/hostname)" ] && hostname | grep -cE '^[0-9a-f]{12}$'`}, want: "1\n"},
		{name: "hosts has localhost", args: []string{"grep", "-c", "^127.0.0.1\tlocalhost$", "/etc/hosts"}, want: "1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := pocket(t, root, append([]string{"run", "--rm", "busybox"}, tt.args...)...)
			if r.Code != 0 || r.Stdout != tt.want {
				t.Errorf("want %q\n%s", tt.want, r)
			}
		})
	}
}

// TestRunLimits: what the kernel does with the limits (see also
// cgroup_e2e_test.go, which reads them on v1 and v2).
func TestRunLimits(t *testing.T) {
	root := newRoot(t)
	// The shell doubles a string until the OOM killer ends it.
	r := pocket(t, root, "run", "--name", "hog", "--network", "none", "-m", "32m", "busybox", "sh", "-c", "x=a; while true; do x=$x$x; done")
	checkOOM(t, r, func() result { return mustPocket(t, root, "inspect", "hog") })
	mustPocket(t, root, "rm", "hog")

	// A fork bomb hits the pids limit: fork fails, the shell reports it.
	r = pocket(t, root, "run", "--rm", "--network", "none", "--pids-limit", "20", "busybox", "sh", "-c", "for i in $(seq 40); do sleep 30 & done; echo survived")
	if !strings.Contains(r.Stderr, "can't fork") || r.Code != 2 {
		t.Errorf("fork bomb: want \"can't fork\" and exit 2\n%s", r)
	}

	// A limit Docker refuses is refused before any container exists.
	r = pocket(t, root, "run", "-m", "1k", "busybox", "true")
	if r.Code != 125 || !strings.Contains(r.Stderr, "minimum memory limit allowed is 6MB") {
		t.Errorf("-m 1k: want exit 125 and Docker's reason\n%s", r)
	}
	if ps := mustPocket(t, root, "ps", "-aq").Stdout; ps != "" {
		t.Errorf("containers left by a refused limit: %q", ps)
	}
}

// psRow is the STATUS of the container named name in `pocket ps -a`.
func psStatus(t *testing.T, root, name string) string {
	t.Helper()
	r := mustPocket(t, root, "ps", "-a", "--format", "json")
	sc := bufio.NewScanner(strings.NewReader(r.Stdout))
	for sc.Scan() {
		var row struct{ Names, Status, State string }
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatal(err)
		}
		if row.Names == name {
			return row.Status
		}
	}
	return ""
}

// eventually retries check until it passes; a test timeout bounds it.
func eventually(t *testing.T, what string, check func() bool) {
	t.Helper()
	for i := 0; !check(); i++ {
		if i == 600 {
			t.Fatalf("%s: never happened", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestRunDetachedLifecycle(t *testing.T) {
	root := newRoot(t)
	r := mustPocket(t, root, "run", "-d", "--name", "web", "busybox", "sh", "-c", "echo started; echo oops >&2; while true; do sleep 1; done")
	id := strings.TrimSpace(r.Stdout)
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(id) {
		t.Fatalf("run -d printed %q, want a 64-hex id", r.Stdout)
	}
	if st := psStatus(t, root, "web"); !strings.HasPrefix(st, "Up ") {
		t.Errorf("ps: status %q, want Up ...", st)
	}
	if r := mustPocket(t, root, "ps", "-q"); r.Stdout != id[:12]+"\n" {
		t.Errorf("ps -q = %q, want %q", r.Stdout, id[:12])
	}
	eventually(t, "log output", func() bool { return pocket(t, root, "logs", "web").Stdout == "started\n" })
	if r := mustPocket(t, root, "logs", "web"); r.Stderr != "oops\n" {
		t.Errorf("logs stderr = %q, want oops", r.Stderr)
	}
	if r := pocket(t, root, "rm", "web"); r.Code != 1 || !strings.Contains(r.Stderr, "container is running: stop the container before removing or force remove") {
		t.Errorf("rm of a running container:\n%s", r)
	}
	// sh as PID 1 has no TERM handler, so stop ends with SIGKILL.
	mustPocket(t, root, "stop", "-t", "1", "web")
	if st := psStatus(t, root, "web"); !strings.HasPrefix(st, "Exited (137) ") {
		t.Errorf("ps after stop: %q, want Exited (137) ...", st)
	}
	if r := mustPocket(t, root, "wait", "web"); r.Stdout != "137\n" {
		t.Errorf("wait = %q, want 137", r.Stdout)
	}
	if r := mustPocket(t, root, "ps", "-q"); r.Stdout != "" {
		t.Errorf("ps lists a stopped container: %q", r.Stdout)
	}
	mustPocket(t, root, "stop", "web") // stopping a stopped container is fine
	if r := pocket(t, root, "kill", "web"); r.Code != 1 || !strings.Contains(r.Stderr, "container "+id+" is not running") {
		t.Errorf("kill of a stopped container:\n%s", r)
	}
	// The log holds both streams: its last two lines are the two above.
	if r := mustPocket(t, root, "logs", "--tail", "2", "web"); r.Stdout != "started\n" || r.Stderr != "oops\n" {
		t.Errorf("logs --tail 2:\n%s", r)
	}
	if r := mustPocket(t, root, "logs", "--tail", "0", "web"); r.Stdout+r.Stderr != "" {
		t.Errorf("logs --tail 0:\n%s", r)
	}
	mustPocket(t, root, "rm", "web")
	if r := mustPocket(t, root, "ps", "-aq"); r.Stdout != "" {
		t.Errorf("ps -a after rm: %q", r.Stdout)
	}
	if entries, _ := os.ReadDir(filepath.Join(root, "containers")); len(entries) != 0 {
		t.Errorf("container files left: %v", entries)
	}
}

func TestRunDetachedFollowAndForceRemove(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "run", "-d", "--name", "short", "busybox", "sh", "-c", "for i in 1 2 3; do echo $i; sleep 0.2; done; exit 4")
	// logs -f returns when the container ends, with everything it wrote.
	if r := mustPocket(t, root, "logs", "-f", "short"); r.Stdout != "1\n2\n3\n" {
		t.Errorf("logs -f = %q", r.Stdout)
	}
	if r := mustPocket(t, root, "wait", "short"); r.Stdout != "4\n" {
		t.Errorf("wait = %q, want 4", r.Stdout)
	}
	mustPocket(t, root, "run", "-d", "--name", "long", "busybox", "sleep", "1000")
	mustPocket(t, root, "rm", "-f", "long")
	r := mustPocket(t, root, "container", "prune", "-f")
	if !strings.Contains(r.Stdout, "Deleted Containers:") {
		t.Errorf("prune:\n%s", r)
	}
	if r := mustPocket(t, root, "ps", "-aq"); r.Stdout != "" {
		t.Errorf("ps -a after rm -f and prune: %q", r.Stdout)
	}
}

func TestRunKilledMonitor(t *testing.T) {
	root := newRoot(t)
	id := strings.TrimSpace(mustPocket(t, root, "run", "-d", "--name", "orphan", "--network", "none", "--pids-limit", "20", "busybox", "sleep", "1000").Stdout)
	if len(containerCgroupDirs(t, "", id)) == 0 {
		t.Fatalf("running container %s has no cgroup", id)
	}
	var in []struct{ State struct{ Pid int } }
	if err := json.Unmarshal([]byte(mustPocket(t, root, "inspect", id).Stdout), &in); err != nil || len(in) != 1 || in[0].State.Pid == 0 {
		t.Fatalf("inspect: %v %v", err, in)
	}
	monitor := ppid(t, in[0].State.Pid)
	if err := syscall.Kill(monitor, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eventually(t, "ps shows the container exited", func() bool {
		return strings.HasPrefix(psStatus(t, root, "orphan"), "Exited (137) ")
	})
	mustPocket(t, root, "rm", "orphan")
	checkNoCgroup(t, "", id, "SIGKILL of the monitor and rm")
	if r := mustPocket(t, root, "ps", "-aq"); r.Stdout != "" {
		t.Errorf("ps -a after rm: %q", r.Stdout)
	}
}

func ppid(t *testing.T, pid int) int {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// pid (comm) state ppid ...: comm may hold spaces, so cut at the last ')'.
	f := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	n, err := strconv.Atoi(f[1])
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRunTTY(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "pull", "-q", "busybox")
	// The terminal is the container's own, sized as the user's.
	cmd := pocketCmd(t, root, "run", "--rm", "-it", "-u", "app", "busybox", "sh", "-c", "test -t 0 && test -t 1 && echo is-a-tty; tty; stty size; stat -c %U /dev/pts/0")
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 33, Cols: 101})
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	var out bytes.Buffer
	io.Copy(&out, ptmx) // ends with EIO when pocket exits
	if err := cmd.Wait(); err != nil {
		t.Fatalf("pocket run -it: %v\n%s", err, out.String())
	}
	got := strings.ReplaceAll(out.String(), "\r\n", "\n")
	if want := "is-a-tty\n/dev/pts/0\n33 101\napp\n"; !strings.Contains(got, want) {
		t.Errorf("output lacks %q:\n%s", want, got)
	}

	// Under --init the reaper holds the terminal for the command.
	cmd = pocketCmd(t, root, "run", "--rm", "-it", "--init", "busybox", "tty")
	ptmx2, err := pty.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx2.Close()
	out.Reset()
	io.Copy(&out, ptmx2)
	if err := cmd.Wait(); err != nil || !strings.Contains(out.String(), "/dev/pts/0\r\n") {
		t.Errorf("pocket run -it --init tty: %v\n%q", err, out.String())
	}

	// Detached, the monitor holds the master and logs what the command
	// writes to its terminal.
	mustPocket(t, root, "run", "-d", "-t", "--name", "dt", "busybox", "sh", "-c", "tty; echo err >&2")
	eventually(t, "-d -t output in the log", func() bool {
		return pocket(t, root, "logs", "dt").Stdout == "/dev/pts/0\r\nerr\r\n"
	})
	mustPocket(t, root, "rm", "-f", "dt")
}

func TestRunForwardsSignals(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "pull", "-q", "busybox")
	cmd := pocketCmd(t, root, "run", "--rm", "busybox", "sh", "-c", `trap "echo got; exit 7" USR1; echo ready; while true; do sleep 0.1; done`)
	sc := startReady(t, cmd)
	cmd.Process.Signal(syscall.SIGUSR1)
	var rest []string
	for sc.Scan() {
		rest = append(rest, sc.Text())
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 7 {
		t.Errorf("exit: %v, want status 7", err)
	}
	if !slices.Equal(rest, []string{"got"}) {
		t.Errorf("output after the signal: %q, want got", rest)
	}
}

func TestRunRemoveLeavesNothing(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "run", "--rm", "busybox", "true")
	mountinfo, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(mountinfo, []byte(root)) {
		t.Errorf("something is mounted under the store root:\n%s", mountinfo)
	}
	if entries, _ := os.ReadDir(filepath.Join(root, "containers")); len(entries) != 0 {
		t.Errorf("container files left: %v", entries)
	}
	if r := mustPocket(t, root, "ps", "-aq"); r.Stdout != "" {
		t.Errorf("ps -a after --rm: %q", r.Stdout)
	}
}

func TestRunHostileSymlinks(t *testing.T) {
	host := t.TempDir()
	hostFile := filepath.Join(host, "hosts")
	hostDir := filepath.Join(host, "proc")
	if err := os.WriteFile(hostFile, []byte("HOST FILE\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(hostDir, 0o755); err != nil {
		t.Fatal(err)
	}
	// The image's /etc/hosts and /proc point at host paths; inside, they
	// must resolve within the rootfs.
	pushImage(t, "run-hostile", nil,
		testimages.Symlink("etc/hosts", hostFile), testimages.Symlink("etc/resolv.conf", hostFile),
		testimages.Symlink("proc", hostDir))
	root := newRoot(t)
	pocket(t, root, "run", "--rm", "run-hostile", "sh", "-c", "cat /etc/hosts; ls /proc | head -3")

	if data, _ := os.ReadFile(hostFile); string(data) != "HOST FILE\n" {
		t.Errorf("host file changed: %q", data)
	}
	if entries, _ := os.ReadDir(hostDir); len(entries) != 0 {
		t.Errorf("host directory got entries: %v", entries)
	}
	mountinfo, _ := os.ReadFile("/proc/self/mountinfo")
	if bytes.Contains(mountinfo, []byte(host)) {
		t.Errorf("something was mounted on the host:\n%s", mountinfo)
	}
}

func TestRunOptions(t *testing.T) {
	root := newRoot(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "read-only rootfs with a tmpfs", args: []string{"--read-only", "--tmpfs", "/scratch", "busybox", "sh", "-c",
			"touch /x 2>/dev/null || echo ro; touch /scratch/y && echo rw; grep -o ' /scratch tmpfs [a-z,]*' /proc/mounts | tr , '\\n' | grep -c '^no'"},
			want: "ro\nrw\n3\n"},
		{name: "cap-drop ALL", args: []string{"--cap-drop", "ALL", "busybox", "grep", "CapEff", "/proc/self/status"}, want: "CapEff:\t0000000000000000\n"},
		{name: "host network sees the host's links", args: []string{"--network", "host", "busybox", "ls", "/sys/class/net"}, want: hostLinksWant},
		{name: "no stdin without -i", args: []string{"busybox", "cat"}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := pocketCmd(t, root, append([]string{"run", "--rm"}, tt.args...)...)
			cmd.Stdin = strings.NewReader("host input\n")
			r := runCmd(t, cmd)
			want := tt.want
			if want == hostLinksWant {
				want = hostLinks(t) // now: earlier tests may have made pocket0
			}
			if r.Code != 0 || r.Stdout != want {
				t.Errorf("want %q\n%s", want, r)
			}
		})
	}
	cmd := pocketCmd(t, root, "run", "--rm", "-i", "busybox", "cat")
	cmd.Stdin = strings.NewReader("host input\n")
	if r := runCmd(t, cmd); r.Code != 0 || r.Stdout != "host input\n" {
		t.Errorf("-i: stdin not passed\n%s", r)
	}

	// A detached start failure has the command's status, and the
	// container stays "Created" as in Docker.
	if r := pocket(t, root, "run", "-d", "--name", "broken", "busybox", "nonexistent"); r.Code != 127 {
		t.Errorf("run -d nonexistent: exit %d, want 127\n%s", r.Code, r)
	}
	if st := psStatus(t, root, "broken"); st != "Created" {
		t.Errorf("ps: %q, want Created", st)
	}
	mustPocket(t, root, "rm", "broken")
}

// hostLinks is `ls /sys/class/net` on the host.
// hostLinksWant stands for hostLinks in a test table.
const hostLinksWant = "<host links>"

func hostLinks(t *testing.T) string {
	// The tests' network namespace (see inNewNetns), as ls sorts it; not
	// /sys/class/net, which shows the namespace /sys was mounted in.
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, i := range ifs {
		names = append(names, i.Name)
	}
	sort.Strings(names)
	return strings.Join(names, "\n") + "\n"
}

// Docker stops a container started in the foreground too: its `pocket
// run` is its monitor and answers stop like a detached one.
func TestRunStopForeground(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "pull", "-q", "busybox")
	cmd := pocketCmd(t, root, "run", "--name", "fg", "busybox", "sh", "-c", "echo ready; while true; do sleep 1; done")
	sc := startReady(t, cmd)
	// sh as PID 1 has no TERM handler, so stop ends with SIGKILL.
	mustPocket(t, root, "stop", "-t", "1", "fg")
	for sc.Scan() {
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 137 {
		t.Errorf("foreground run after stop: %v, want exit status 137", err)
	}
	if st := psStatus(t, root, "fg"); !strings.HasPrefix(st, "Exited (137) ") {
		t.Errorf("ps after stop: %q, want Exited (137) ...", st)
	}
}

// A store root so long that the control socket's path does not fit a
// unix socket address (108 bytes): stop and kill still reach the monitor.
func TestRunLongRoot(t *testing.T) {
	root := filepath.Join(t.TempDir(), strings.Repeat("a-long-store-root-", 8))
	id := strings.TrimSpace(mustPocket(t, root, "run", "-d", "--name", "trap", "busybox", "sh", "-c",
		`trap "echo got; exit 7" USR1; echo ready; while true; do sleep 0.1; done`).Stdout)
	sock := filepath.Join(root, "containers", id, "control.sock")
	if len(sock) <= 108 {
		t.Fatalf("control socket path %s is %d bytes: too short for this test", sock, len(sock))
	}
	fi, err := os.Stat(sock)
	if err != nil || fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
		t.Errorf("control socket of a running container: %v, %v; want a socket of mode 0600", fi, err)
	}
	eventually(t, "trap set", func() bool { return pocket(t, root, "logs", "trap").Stdout == "ready\n" })
	mustPocket(t, root, "kill", "-s", "USR1", "trap")
	if r := mustPocket(t, root, "wait", "trap"); r.Stdout != "7\n" {
		t.Errorf("wait after kill -s USR1 = %q, want 7", r.Stdout)
	}
	if _, err := os.Stat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("control socket left after the container ended: %v", err)
	}

	mustPocket(t, root, "run", "-d", "--name", "sleeper", "busybox", "sleep", "1000")
	mustPocket(t, root, "stop", "-t", "1", "sleeper")
	if st := psStatus(t, root, "sleeper"); !strings.HasPrefix(st, "Exited (137) ") {
		t.Errorf("ps after stop: %q, want Exited (137) ...", st)
	}
}

// startReady starts a foreground `pocket run` whose command prints "ready"
// once it is set up, and returns its stdout after that line.
func startReady(t *testing.T, cmd *exec.Cmd) *bufio.Scanner {
	t.Helper()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	if !sc.Scan() || sc.Text() != "ready" {
		t.Fatalf("first line %q, want ready", sc.Text())
	}
	return sc
}
