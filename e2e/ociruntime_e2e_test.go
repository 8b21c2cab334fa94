//go:build linux

package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// runcBin is pocket's binary under the name that makes it its OCI
// runtime, as containerd, Docker and Podman would run it.
func runcBin(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pocket-runc")
	if err := os.Symlink(pocketBin, p); err != nil {
		t.Fatal(err)
	}
	return p
}

// ociRuntime is a pocket-runc with its own --root, for one test.
type ociRuntime struct {
	bin, root string
}

func newOCIRuntime(t *testing.T) *ociRuntime {
	return &ociRuntime{bin: runcBin(t), root: filepath.Join(t.TempDir(), "state")}
}

// run runs one runtime command to its end. stdout and stderr are files,
// not pipes: create's init keeps them, and a pipe would hold the command
// open until the container ends.
func (r *ociRuntime) run(t *testing.T, args ...string) result {
	t.Helper()
	dir := t.TempDir()
	out, err := os.Create(filepath.Join(dir, "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	errf, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer errf.Close()
	cmd := exec.Command(r.bin, append([]string{"--root", r.root}, args...)...)
	cmd.Stdout, cmd.Stderr = out, errf
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(commandTimeout):
		cmd.Process.Kill()
		<-done
		t.Fatalf("pocket-runc %s: still running after %v", strings.Join(args, " "), commandTimeout)
	}
	res := result{Code: cmd.ProcessState.ExitCode()}
	b, _ := os.ReadFile(out.Name())
	res.Stdout = string(b)
	b, _ = os.ReadFile(errf.Name())
	res.Stderr = string(b)
	return res
}

func (r *ociRuntime) must(t *testing.T, args ...string) result {
	t.Helper()
	res := r.run(t, args...)
	if res.Code != 0 {
		t.Fatalf("pocket-runc %s: %s", strings.Join(args, " "), res)
	}
	return res
}

// state is `state ID`, decoded.
func (r *ociRuntime) state(t *testing.T, id string) map[string]any {
	t.Helper()
	res := r.must(t, "state", id)
	var st map[string]any
	if err := json.Unmarshal([]byte(res.Stdout), &st); err != nil {
		t.Fatalf("state %s: %v\n%s", id, err, res.Stdout)
	}
	return st
}

// waitStatus polls state until the container has status want: the
// kernel tears a killed process down on its own time.
func (r *ociRuntime) waitStatus(t *testing.T, id, want string) {
	t.Helper()
	deadline := time.Now().Add(commandTimeout)
	for {
		st := r.state(t, id)
		if st["status"] == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("container %s: status %v, want %s", id, st["status"], want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// newBundle is an OCI bundle whose rootfs is the host's busybox-static
// with its applets, and whose config.json is `pocket-runc spec`'s with
// args and change applied.
func newBundle(t *testing.T, r *ociRuntime, args []string, change func(*specs.Spec)) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "rootfs", "bin")
	// The mount points an image has: a user namespace's root may not
	// create them in a rootfs owned by the host's root.
	for _, d := range []string{"bin", "proc", "sys", "dev", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, "rootfs", d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Fatalf("busybox-static: %v (hint: testdata/setup.sh installs it)", err)
	}
	if err := os.WriteFile(filepath.Join(bin, "busybox"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, applet := range []string{"sh", "echo", "sleep", "cat", "ls", "id", "ps", "hostname", "tty", "true", "false", "grep", "touch", "tr", "wc"} {
		if err := os.Symlink("busybox", filepath.Join(bin, applet)); err != nil {
			t.Fatal(err)
		}
	}
	r.must(t, "spec", "--bundle", dir)
	raw, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec specs.Spec
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	spec.Process.Terminal = false
	spec.Process.Args = args
	if change != nil {
		change(&spec)
	}
	if raw, err = json.Marshal(&spec); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// ociID is a container id made of the test's name.
func ociID(t *testing.T) string {
	return strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(t.Name()))
}

func TestOCIRuntimeLifecycle(t *testing.T) {
	r := newOCIRuntime(t)
	bundle := newBundle(t, r, []string{"sleep", "1000"}, nil)
	id := ociID(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	r.must(t, "create", "--bundle", bundle, "--pid-file", pidFile, id)
	t.Cleanup(func() { r.run(t, "delete", "--force", id) })

	raw, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(string(raw))
	if err != nil {
		t.Fatalf("pid file %q: %v", raw, err)
	}
	st := r.state(t, id)
	for k, want := range map[string]any{"id": id, "status": "created", "pid": float64(pid), "bundle": bundle, "rootfs": filepath.Join(bundle, "rootfs"), "ociVersion": specs.Version} {
		if st[k] != want {
			t.Errorf("state %s = %v, want %v", k, st[k], want)
		}
	}
	for _, k := range []string{"created", "owner"} {
		if _, ok := st[k]; !ok {
			t.Errorf("state has no %s: %v", k, st)
		}
	}
	// Held at the gate: the command has not run yet.
	if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); strings.TrimSpace(string(comm)) == "sleep" {
		t.Errorf("init runs the command before start")
	}
	if res := r.run(t, "create", "--bundle", bundle, id); res.Code != 1 || !strings.Contains(res.Stderr, "container with given ID already exists") {
		t.Errorf("create of an existing id: %s", res)
	}

	r.must(t, "start", id)
	if st := r.state(t, id); st["status"] != "running" {
		t.Fatalf("after start: status %v", st["status"])
	}
	if res := r.run(t, "start", id); res.Code == 0 {
		t.Errorf("second start succeeded: %s", res)
	}
	ps := r.must(t, "ps", "--format", "json", id)
	var pids []int
	if err := json.Unmarshal([]byte(ps.Stdout), &pids); err != nil || !slices.Contains(pids, pid) {
		t.Errorf("ps --format json = %q (%v), want it to hold %d", ps.Stdout, err, pid)
	}
	if table := r.must(t, "ps", id); !strings.Contains(table.Stdout, "sleep 1000") {
		t.Errorf("ps table:\n%s", table.Stdout)
	}

	// exec: in the container's namespaces (its pid 1 is sleep), as the
	// process says, with its exit status.
	res := r.must(t, "exec", id, "sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; hostname")
	if want := "sleep 1000 pocket\n"; res.Stdout != want {
		t.Errorf("exec output %q, want %q", res.Stdout, want)
	}
	if res := r.run(t, "exec", id, "sh", "-c", "exit 7"); res.Code != 7 {
		t.Errorf("exec exit status: %s", res)
	}
	proc := specs.Process{Args: []string{"sh", "-c", "id -u; id -G"}, Cwd: "/", Env: []string{"PATH=/bin"},
		User: specs.User{UID: 1000, GID: 1000, AdditionalGids: []uint32{1000, 5}}}
	pf := filepath.Join(t.TempDir(), "process.json")
	data, _ := json.Marshal(proc)
	if err := os.WriteFile(pf, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if res := r.must(t, "exec", "--process", pf, id); res.Stdout != "1000\n1000 5\n" {
		t.Errorf("exec --process as 1000: %q", res.Stdout)
	}
	execPid := filepath.Join(t.TempDir(), "exec.pid")
	r.must(t, "exec", "--detach", "--pid-file", execPid, id, "sleep", "999")
	raw, err = os.ReadFile(execPid)
	if err != nil {
		t.Fatal(err)
	}
	ps = r.must(t, "ps", "--format", "json", id)
	if n, _ := strconv.Atoi(string(raw)); !strings.Contains(ps.Stdout, strconv.Itoa(n)) {
		t.Errorf("detached exec pid %s not in ps %s", raw, ps.Stdout)
	}

	// update: a new pids limit, seen from inside (cgroup v1 or v2).
	resFile := filepath.Join(t.TempDir(), "resources.json")
	if err := os.WriteFile(resFile, []byte(`{"pids":{"limit":55}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	r.must(t, "update", "--resources", resFile, id)
	if res := r.must(t, "exec", id, "sh", "-c", "cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max"); res.Stdout != "55\n" {
		t.Errorf("pids.max after update: %q", res.Stdout)
	}

	r.must(t, "pause", id)
	if st := r.state(t, id); st["status"] != "paused" {
		t.Errorf("after pause: status %v", st["status"])
	}
	r.must(t, "resume", id)
	if st := r.state(t, id); st["status"] != "running" {
		t.Errorf("after resume: status %v", st["status"])
	}
	if res := r.run(t, "resume", id); res.Code != 1 || !strings.Contains(res.Stderr, "container not paused") {
		t.Errorf("resume of a running container: %s", res)
	}

	if res := r.run(t, "delete", id); res.Code != 1 || !strings.Contains(res.Stderr, "cannot delete container "+id+" that is not stopped: running") {
		t.Errorf("delete of a running container: %s", res)
	}
	r.must(t, "kill", "--all", id, "KILL")
	r.waitStatus(t, id, "stopped")
	if res := r.run(t, "kill", id, "9"); res.Code != 1 || !strings.Contains(res.Stderr, "container not running") {
		t.Errorf("kill of a stopped container: %s", res)
	}
	r.must(t, "delete", id)
	if res := r.run(t, "state", id); res.Code != 1 || !strings.Contains(res.Stderr, "container does not exist") {
		t.Errorf("state of a deleted container: %s", res)
	}
	if res := r.run(t, "delete", "--force", id); res.Code != 0 {
		t.Errorf("delete --force of nothing: %s", res)
	}
}

// TestOCIRuntimeRun: run is create, start and wait; the exit status, the
// spec's capabilities, rlimits, hostname, read-only root and masked paths
// reach the process.
func TestOCIRuntimeRun(t *testing.T) {
	r := newOCIRuntime(t)
	script := `grep CapEff /proc/self/status; ulimit -n; hostname; touch /x 2>/dev/null || echo ro; cat /proc/kcore | wc -c; echo out; exit 3`
	bundle := newBundle(t, r, []string{"sh", "-c", script}, func(s *specs.Spec) {
		s.Hostname = "oci-host"
		s.Process.Env = append(s.Process.Env, "HOME=/")
	})
	res := r.run(t, "run", "--bundle", bundle, ociID(t))
	if res.Code != 3 {
		t.Fatalf("run: %s", res)
	}
	// runc's default spec: AUDIT_WRITE, KILL, NET_BIND_SERVICE.
	want := "CapEff:\t0000000020000420\n1024\noci-host\nro\n0\nout\n"
	if res.Stdout != want {
		t.Errorf("run output %q, want %q", res.Stdout, want)
	}
	if res := r.run(t, "state", ociID(t)); res.Code != 1 {
		t.Errorf("run left the container: %s", res)
	}
}

// TestOCIRuntimeConsole: with process.terminal, the pty master comes over
// --console-socket as runc sends it (SCM_RIGHTS), and the process has the
// container's /dev/pts/0 as its terminal.
func TestOCIRuntimeConsole(t *testing.T) {
	r := newOCIRuntime(t)
	bundle := newBundle(t, r, []string{"sh", "-c", "tty; echo done"}, func(s *specs.Spec) {
		s.Process.Terminal = true
		s.Process.ConsoleSize = &specs.Box{Height: 30, Width: 100}
	})
	sock := filepath.Join(t.TempDir(), "console.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	master := make(chan *os.File, 1)
	go func() {
		defer close(master)
		c, err := l.AcceptUnix()
		if err != nil {
			return
		}
		defer c.Close()
		buf, oob := make([]byte, 256), make([]byte, unix.CmsgSpace(4))
		_, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
		if err != nil {
			return
		}
		msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
		if err != nil || len(msgs) != 1 {
			return
		}
		fds, err := unix.ParseUnixRights(&msgs[0])
		if err != nil || len(fds) != 1 {
			return
		}
		master <- os.NewFile(uintptr(fds[0]), "pty master")
	}()
	id := ociID(t)
	r.must(t, "create", "--bundle", bundle, "--console-socket", sock, id)
	t.Cleanup(func() { r.run(t, "delete", "--force", id) })
	m := <-master
	if m == nil {
		t.Fatal("no pty master on the console socket")
	}
	defer m.Close()
	ws, err := unix.IoctlGetWinsize(int(m.Fd()), unix.TIOCGWINSZ)
	if err != nil || ws.Row != 30 || ws.Col != 100 {
		t.Errorf("console size %+v (%v), want 30x100", ws, err)
	}
	r.must(t, "start", id)
	var out bytes.Buffer
	// Read until the slave closes (EIO once the process is gone).
	io.Copy(&out, m)
	if got := strings.ReplaceAll(out.String(), "\r", ""); got != "/dev/pts/0\ndone\n" {
		t.Errorf("console output %q", got)
	}
	r.waitStatus(t, id, "stopped")
	r.must(t, "delete", id)
}

// TestOCIRuntimeFeatures: features and --version answer as runc's do.
func TestOCIRuntimeFeatures(t *testing.T) {
	r := newOCIRuntime(t)
	var f struct {
		OCIVersionMax string   `json:"ociVersionMax"`
		Hooks         []string `json:"hooks"`
		Linux         struct {
			Namespaces []string `json:"namespaces"`
		} `json:"linux"`
	}
	if err := json.Unmarshal([]byte(r.must(t, "features").Stdout), &f); err != nil {
		t.Fatal(err)
	}
	if f.OCIVersionMax != specs.Version || !slices.Contains(f.Hooks, "createRuntime") || !slices.Contains(f.Linux.Namespaces, "pid") {
		t.Errorf("features: %+v", f)
	}
	if v := r.must(t, "--version").Stdout; !strings.HasPrefix(v, "pocket-runc version ") || !strings.Contains(v, "spec: "+specs.Version) {
		t.Errorf("--version: %q", v)
	}
	// pocket runtime is the same front door.
	cmd := exec.Command(pocketBin, "runtime", "--root", r.root, "state", "nothing")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), "container does not exist") {
		t.Errorf("pocket runtime state nothing: %v\n%s", err, out)
	}
}

// containerd is a containerd of the test's own (root, state, socket,
// namespace), never the host's.
type containerd struct {
	addr, ns string
}

// startContainerd starts Debian's containerd in t's temporary directory,
// without its CRI plugin, and stops it at the end of the test.
func startContainerd(t *testing.T) *containerd {
	t.Helper()
	bin, err := exec.LookPath("containerd")
	if err != nil {
		t.Fatalf("containerd: %v (hint: testdata/setup.sh installs Debian's containerd)", err)
	}
	if _, err := exec.LookPath("containerd-shim-runc-v2"); err != nil {
		t.Fatalf("containerd-shim-runc-v2: %v (hint: testdata/setup.sh installs Debian's containerd)", err)
	}
	dir := t.TempDir()
	c := &containerd{addr: filepath.Join(dir, "c.sock"), ns: fmt.Sprintf("pocket-e2e-%d", os.Getpid())}
	config := fmt.Sprintf(`version = 2
root = %q
state = %q
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = %q
[ttrpc]
  address = %q
[debug]
  address = ""
[metrics]
  address = ""
`, filepath.Join(dir, "root"), filepath.Join(dir, "state"), c.addr, c.addr+".ttrpc")
	cfg := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfg, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(dir, "containerd.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config", cfg)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		logf.Close()
		// The shim keeps runc's state under /run/containerd/runc/<ns>.
		os.RemoveAll(filepath.Join("/run/containerd/runc", c.ns))
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("containerd log:\n%s", b)
		}
	})
	deadline := time.Now().Add(commandTimeout)
	for {
		if res := c.ctr(t, "version"); res.Code == 0 {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("containerd did not answer on %s", c.addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ctrCmd is `ctr --address A -n NS args...`, not started.
func (c *containerd) ctrCmd(args ...string) *exec.Cmd {
	return exec.Command("ctr", append([]string{"--address", c.addr, "-n", c.ns}, args...)...)
}

func (c *containerd) ctr(t *testing.T, args ...string) result {
	t.Helper()
	return runToEnd(t, c.ctrCmd(args...), "ctr "+strings.Join(args, " "))
}

func (c *containerd) must(t *testing.T, args ...string) result {
	t.Helper()
	res := c.ctr(t, args...)
	if res.Code != 0 {
		t.Fatalf("ctr %s: %s", strings.Join(args, " "), res)
	}
	return res
}

// TestOCIRuntimeContainerd: containerd's runc v2 shim drives pocket-runc:
// an image `pocket save` wrote, imported with ctr, runs; exec, ps, pause,
// kill and delete go through the runtime; a tty comes over the console
// socket.
func TestOCIRuntimeContainerd(t *testing.T) {
	runc := runcBin(t)
	root := newRoot(t)
	mustPocket(t, root, "pull", "busybox")
	archive := filepath.Join(t.TempDir(), "busybox.tar")
	mustPocket(t, root, "save", "-o", archive, "busybox")
	c := startContainerd(t)
	c.must(t, "image", "import", archive)
	const image = "docker.io/library/busybox:latest"

	if res := c.must(t, "run", "--runc-binary", runc, "--rm", image, "hello", "echo", "hi"); res.Stdout != "hi\n" {
		t.Errorf("ctr run: stdout %q, want hi", res.Stdout)
	}
	if res := c.ctr(t, "run", "--runc-binary", runc, "--rm", image, "status", "sh", "-c", "exit 5"); res.Code != 5 {
		t.Errorf("ctr run of exit 5: %s", res)
	}

	c.must(t, "run", "-d", "--runc-binary", runc, image, "long", "sleep", "1000")
	t.Cleanup(func() {
		c.ctr(t, "task", "kill", "-s", "SIGKILL", "long")
		c.ctr(t, "task", "delete", "--force", "long")
		c.ctr(t, "container", "delete", "long")
	})
	if res := c.must(t, "task", "exec", "--exec-id", "e1", "long", "sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '"); res.Stdout != "sleep 1000 " {
		t.Errorf("ctr task exec: stdout %q", res.Stdout)
	}
	ls := c.must(t, "task", "ls")
	var pid string
	for _, l := range lines(ls.Stdout) {
		if f := strings.Fields(l); len(f) == 3 && f[0] == "long" {
			pid = f[1]
			if f[2] != "RUNNING" {
				t.Errorf("task ls: %s", l)
			}
		}
	}
	if ps := c.must(t, "task", "ps", "long"); pid == "" || !strings.Contains(ps.Stdout, pid) {
		t.Errorf("ctr task ps (init pid %q):\n%s", pid, ps.Stdout)
	}
	c.must(t, "task", "pause", "long")
	if ls := c.must(t, "task", "ls"); !strings.Contains(ls.Stdout, "PAUSED") {
		t.Errorf("after pause:\n%s", ls.Stdout)
	}
	c.must(t, "task", "resume", "long")
	c.must(t, "task", "kill", "-s", "SIGKILL", "long")
	deadline := time.Now().Add(commandTimeout)
	for !strings.Contains(c.must(t, "task", "ls").Stdout, "STOPPED") {
		if time.Now().After(deadline) {
			t.Fatal("task long did not stop after SIGKILL")
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.must(t, "task", "delete", "long")
	c.must(t, "container", "delete", "long")

	// ctr run -t: ctr wants a terminal of its own; the container's pty
	// comes to the shim over pocket-runc's --console-socket.
	cmd := c.ctrCmd("run", "-t", "--runc-binary", runc, "--rm", image, "tty", "sh", "-c", "tty; echo tty-ok")
	out, err := runInPty(cmd)
	if err != nil {
		t.Fatalf("ctr run -t: %v\n%s", err, out)
	}
	if got := strings.ReplaceAll(out, "\r", ""); !strings.Contains(got, "/dev/pts/0\ntty-ok\n") {
		t.Errorf("ctr run -t output %q", got)
	}
}

// runInPty runs cmd with a new pty as its terminal and returns all it
// wrote there.
func runInPty(cmd *exec.Cmd) (string, error) {
	ptmx, err := pty.Start(cmd)
	if err != nil {
		return "", err
	}
	defer ptmx.Close()
	var out bytes.Buffer
	copied := make(chan struct{})
	go func() {
		io.Copy(&out, ptmx) // until EIO: the last slave closed
		close(copied)
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(commandTimeout):
		cmd.Process.Kill()
		<-done
		return out.String(), fmt.Errorf("still running after %v", commandTimeout)
	}
	<-copied
	return out.String(), err
}

// TestOCIRuntimeUserNS: a user namespace with the spec's mappings; the
// process is its root, mapped to the host's 100000.
func TestOCIRuntimeUserNS(t *testing.T) {
	r := newOCIRuntime(t)
	bundle := newBundle(t, r, []string{"sh", "-c", "id -u; cat /proc/self/uid_map"}, func(s *specs.Spec) {
		s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
		m := []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
		s.Linux.UIDMappings, s.Linux.GIDMappings = m, m
	})
	// The mapped root must reach its rootfs, as with runc: t.TempDir()
	// makes 0700 directories.
	for _, d := range []string{filepath.Dir(bundle), bundle} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	res := r.must(t, "run", "--bundle", bundle, ociID(t))
	if f := strings.Fields(res.Stdout); len(f) != 4 || f[0] != "0" || f[1] != "0" || f[2] != "100000" || f[3] != "65536" {
		t.Errorf("run in a user namespace: %q", res.Stdout)
	}
}

// TestOCIRuntimeHooks: prestart and createRuntime run at create,
// poststart at start, poststop at delete, each with the state on stdin.
func TestOCIRuntimeHooks(t *testing.T) {
	r := newOCIRuntime(t)
	out := t.TempDir()
	hook := func(name string) specs.Hook {
		return specs.Hook{Path: "/bin/sh", Args: []string{"sh", "-c", "cat > " + filepath.Join(out, name)}}
	}
	bundle := newBundle(t, r, []string{"sleep", "1000"}, func(s *specs.Spec) {
		s.Hooks = &specs.Hooks{
			Prestart:      []specs.Hook{hook("prestart")},
			CreateRuntime: []specs.Hook{hook("createRuntime")},
			Poststart:     []specs.Hook{hook("poststart")},
			Poststop:      []specs.Hook{hook("poststop")},
		}
	})
	id := ociID(t)
	read := func(name string) *specs.State {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			return nil
		}
		var st specs.State
		if err := json.Unmarshal(b, &st); err != nil {
			t.Fatalf("%s hook's stdin %q: %v", name, b, err)
		}
		return &st
	}
	r.must(t, "create", "--bundle", bundle, id)
	t.Cleanup(func() { r.run(t, "delete", "--force", id) })
	for _, name := range []string{"prestart", "createRuntime"} {
		if st := read(name); st == nil || st.ID != id || st.Status != "created" || st.Pid == 0 || st.Bundle != bundle {
			t.Errorf("%s hook state %+v", name, st)
		}
	}
	if read("poststart") != nil {
		t.Error("poststart ran before start")
	}
	r.must(t, "start", id)
	if st := read("poststart"); st == nil || st.Status != "running" {
		t.Errorf("poststart hook state %+v", st)
	}
	r.must(t, "delete", "--force", id)
	if st := read("poststop"); st == nil || st.Status != "stopped" {
		t.Errorf("poststop hook state %+v", st)
	}
}

// TestOCIRuntimeExecCwdFD: CVE-2024-21626 through exec. A working
// directory of /proc/self/fd/N would start the process in the host's
// filesystem if N were a host directory init holds. None reaches exec's
// init (only its pipes and the sealed binary), and the directory is
// resolved inside the container besides (chdirInRoot); this guards both:
// a host directory descriptor added to exec's ExtraFiles makes it fail.
func TestOCIRuntimeExecCwdFD(t *testing.T) {
	r := newOCIRuntime(t)
	bundle := newBundle(t, r, []string{"sleep", "1000"}, nil)
	id := ociID(t)
	r.must(t, "run", "--detach", "--bundle", bundle, id)
	t.Cleanup(func() { r.run(t, "delete", "--force", id) })
	for fd := 3; fd <= 8; fd++ {
		res := r.run(t, "exec", "--cwd", fmt.Sprintf("/proc/self/fd/%d", fd), id, "sh", "-c", "ls ..; pwd")
		if res.Code == 0 {
			t.Errorf("exec --cwd /proc/self/fd/%d ran: %s", fd, res)
		}
	}
}

// TestOCIRuntimeBadID: a container id is one path element under --root;
// anything else is refused before a directory is made.
func TestOCIRuntimeBadID(t *testing.T) {
	r := newOCIRuntime(t)
	bundle := newBundle(t, r, []string{"true"}, nil)
	for _, id := range []string{"../escape", "a/b", ".."} {
		if res := r.run(t, "create", "--bundle", bundle, id); res.Code != 1 || !strings.Contains(res.Stderr, "invalid container ID format") {
			t.Errorf("create %q: %s", id, res)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(r.root), "escape")); err == nil {
		t.Error("create ../escape made a directory outside --root")
	}
}

// TestOCIRuntimeConfig: the spec's seccomp profile goes through pocket's
// compiler, its sysctls, limits, devices and masks apply.
func TestOCIRuntimeConfig(t *testing.T) {
	r := newOCIRuntime(t)
	script := `mkdir /tmp/d 2>&1 || echo denied; cat /proc/sys/net/ipv4/ip_forward; cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max; ls /dev/fuse; test -p /dev/fifo && echo fifo; echo > /dev/null && echo null-ok; cat /proc/sys/kernel/hostname >/dev/null; echo x > /proc/sys/kernel/domainname 2>/dev/null || echo sys-ro`
	errno := uint(1)
	limit := int64(77)
	bundle := newBundle(t, r, []string{"sh", "-c", script}, func(s *specs.Spec) {
		s.Root.Readonly = false
		s.Linux.Sysctl = map[string]string{"net.ipv4.ip_forward": "1"}
		s.Linux.Resources.Pids = &specs.LinuxPids{Limit: &limit}
		s.Linux.Devices = []specs.LinuxDevice{{Path: "/dev/fuse", Type: "c", Major: 10, Minor: 229}, {Path: "/dev/fifo", Type: "p"}}
		s.Linux.Seccomp = &specs.LinuxSeccomp{
			DefaultAction: specs.ActAllow,
			Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchAARCH64},
			Syscalls: []specs.LinuxSyscall{
				{Names: []string{"mkdir", "mkdirat"}, Action: specs.ActErrno, ErrnoRet: &errno},
			},
		}
	})
	res := r.run(t, "run", "--bundle", bundle, ociID(t))
	want := "mkdir: can't create directory '/tmp/d': Operation not permitted\ndenied\n1\n77\n/dev/fuse\nfifo\nnull-ok\nsys-ro\n"
	if res.Code != 0 || res.Stdout != want {
		t.Errorf("run: %s\nwant stdout %q", res, want)
	}
}

// TestOCIRuntimeExecFakeProc: exec must never look pocket's own binary up
// by a path inside the container. A container that may mount (here with
// every capability) can cover /proc with a tmpfs where /proc/self/fd/N is
// a symlink to its own program; were pocket's init started as
// /proc/self/fd/N from inside the container's mount namespace, that
// program would run with the runtime's full host privileges (the
// CVE-2019-5736 family). Init is started from the host's mount namespace
// and joins the container's itself.
func TestOCIRuntimeExecFakeProc(t *testing.T) {
	r := newOCIRuntime(t)
	script := `mount -t tmpfs fake /proc && mkdir -p /proc/self/fd &&
printf '#!/bin/sh\ntouch /pwned\n' > /bin/evil && chmod +x /bin/evil &&
for i in $(seq 100 130); do ln -s /bin/evil /proc/self/fd/$i; done && touch /ready && sleep 1000`
	bundle := newBundle(t, r, []string{"sh", "-c", script}, func(s *specs.Spec) {
		s.Root.Readonly = false
		all := []string{"CAP_SYS_ADMIN", "CAP_DAC_OVERRIDE", "CAP_CHOWN", "CAP_FOWNER"}
		s.Process.Capabilities = &specs.LinuxCapabilities{Bounding: all, Effective: all, Permitted: all}
		s.Process.NoNewPrivileges = false
		s.Linux.MaskedPaths, s.Linux.ReadonlyPaths = nil, nil
	})
	for _, applet := range []string{"mount", "mkdir", "printf", "chmod", "seq", "ln"} {
		if err := os.Symlink("busybox", filepath.Join(bundle, "rootfs", "bin", applet)); err != nil {
			t.Fatal(err)
		}
	}
	id := ociID(t)
	r.must(t, "run", "--detach", "--bundle", bundle, id)
	t.Cleanup(func() { r.run(t, "delete", "--force", id) })
	rootfs := filepath.Join(bundle, "rootfs")
	deadline := time.Now().Add(commandTimeout)
	for {
		if _, err := os.Stat(filepath.Join(rootfs, "ready")); err == nil {
			break
		}
		if time.Now().After(deadline) || r.state(t, id)["status"] != "running" {
			t.Fatal("the container did not set up its fake /proc")
		}
		time.Sleep(20 * time.Millisecond)
	}
	res := r.run(t, "exec", id, "echo", "ok")
	if _, err := os.Stat(filepath.Join(rootfs, "pwned")); err == nil {
		t.Fatalf("exec ran the container's program for pocket's init: %s", res)
	}
	// Whether the exec itself then works under a fake /proc does not
	// matter (it fails: init reads its capabilities from /proc/self).
	t.Logf("exec under a fake /proc: %s", res)
}

// TestOCIRuntimePodman: podman --runtime pocket-runc runs an image `pocket
// save` wrote, execs in it and stops it. Its storage is the test's own.
// The ulimits are given because podman's default nofile (its own hard
// limit, raised) needs CAP_SYS_RESOURCE, which runc needs for it too.
func TestOCIRuntimePodman(t *testing.T) {
	if _, err := exec.LookPath("podman"); err != nil {
		t.Fatalf("podman: %v (hint: testdata/setup.sh installs it)", err)
	}
	runc := runcBin(t)
	root := newRoot(t)
	mustPocket(t, root, "pull", "busybox")
	archive := filepath.Join(t.TempDir(), "busybox.tar")
	mustPocket(t, root, "save", "-o", archive, "busybox")
	dir := t.TempDir()
	podman := func(args ...string) result {
		t.Helper()
		all := append([]string{"--root", filepath.Join(dir, "root"), "--runroot", filepath.Join(dir, "run"),
			"--tmpdir", filepath.Join(dir, "tmp"), "--cgroup-manager", "cgroupfs", "--events-backend", "file",
			"--storage-driver", "overlay", "--runtime", runc}, args...)
		return runToEnd(t, exec.Command("podman", all...), "podman "+strings.Join(args, " "))
	}
	must := mustSucceed(t, "podman", podman)
	t.Cleanup(func() {
		podman("rm", "-f", "-a")
		// overlay mounts of podman's storage go before the directory.
		runToEnd(t, exec.Command("podman", "--root", filepath.Join(dir, "root"), "--runroot", filepath.Join(dir, "run"),
			"--tmpdir", filepath.Join(dir, "tmp"), "--storage-driver", "overlay", "system", "reset", "-f"), "podman system reset")
	})
	must("load", "-q", "-i", archive)
	const image = "docker.io/library/busybox:latest"
	limits := []string{"--network", "none", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"}
	if res := must(append(append([]string{"run", "--rm"}, limits...), image, "echo", "hi")...); res.Stdout != "hi\n" {
		t.Errorf("podman run: stdout %q", res.Stdout)
	}
	must(append(append([]string{"run", "-d", "--name", "long"}, limits...), image, "sleep", "1000")...)
	if res := must("exec", "long", "sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '"); res.Stdout != "sleep 1000 " {
		t.Errorf("podman exec: stdout %q", res.Stdout)
	}
	must("kill", "long")
	must("rm", "-f", "long")
}

// TestOCIRuntimeHookFailWarns: a failing poststart or poststop hook is a
// warning (runtime-spec runtime.md#lifecycle): start and delete succeed,
// and the hooks after it still run.
func TestOCIRuntimeHookFailWarns(t *testing.T) {
	r := newOCIRuntime(t)
	out := t.TempDir()
	touch := func(name string) specs.Hook {
		return specs.Hook{Path: "/bin/sh", Args: []string{"sh", "-c", "touch " + filepath.Join(out, name)}}
	}
	fail := specs.Hook{Path: "/bin/false"}
	bundle := newBundle(t, r, []string{"sleep", "1000"}, func(s *specs.Spec) {
		s.Hooks = &specs.Hooks{Poststart: []specs.Hook{fail, touch("poststart")}, Poststop: []specs.Hook{fail, touch("poststop")}}
	})
	id := ociID(t)
	r.must(t, "create", "--bundle", bundle, id)
	t.Cleanup(func() { r.run(t, "delete", "--force", id) })
	if res := r.must(t, "start", id); !strings.Contains(res.Stderr, "poststart hook #0") {
		t.Errorf("start: no warning of the failed hook: %s", res)
	}
	r.must(t, "delete", "--force", id)
	for _, name := range []string{"poststart", "poststop"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("the %s hook after the failed one did not run: %v", name, err)
		}
	}
}
