package ns

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// initEnv makes the test binary act as "pocket init".
const initEnv = "POCKET_NS_TEST_INIT"

func TestMain(m *testing.M) {
	if os.Getenv(initEnv) == "1" {
		Init()
	}
	code := m.Run()
	if baseLower != "" {
		os.RemoveAll(baseLower)
	}
	os.Exit(code)
}

var (
	baseOnce  sync.Once
	baseLower string
	baseErr   error
)

// baseLayer is a busybox image layer shared by the tests: busybox and its
// applets in /bin, and users root, app (1000, also in wheel and audio) and
// nobody.
func baseLayer(t *testing.T) string {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("container tests need root")
	}
	baseOnce.Do(func() { baseLower, baseErr = makeBaseLayer() })
	if baseErr != nil {
		t.Fatal(baseErr)
	}
	return baseLower
}

func makeBaseLayer() (string, error) {
	bb, err := exec.LookPath("busybox")
	if err != nil {
		return "", fmt.Errorf("busybox: %w (hint: apt-get install busybox-static)", err)
	}
	dir, err := os.MkdirTemp("", "pocket-ns-base-")
	if err != nil {
		return "", err
	}
	for _, d := range []string{"bin", "etc", "proc", "sys", "dev", "root", "home/app"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return "", err
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "tmp"), 0o1777); err != nil {
		return "", err
	}
	data, err := os.ReadFile(bb)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "bin/busybox"), data, 0o755); err != nil {
		return "", err
	}
	list, err := exec.Command(bb, "--list").Output()
	if err != nil {
		return "", fmt.Errorf("busybox --list: %w", err)
	}
	for _, applet := range strings.Fields(string(list)) {
		if applet == "busybox" {
			continue
		}
		if err := os.Symlink("busybox", filepath.Join(dir, "bin", applet)); err != nil {
			return "", err
		}
	}
	files := map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\n" +
			"app:x:1000:1000:app:/home/app:/bin/sh\n" +
			"nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
		"etc/group": "root:x:0:\ntty:x:5:\nwheel:x:10:app\naudio:x:29:nobody,app\n" +
			"app:x:1000:\nnogroup:x:65534:\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// newConfig is a container of the busybox layer running args, with its
// upper, work and target directories in a fresh temporary directory.
func newConfig(t *testing.T, args ...string) *Config {
	t.Helper()
	lower := baseLayer(t)
	dir := t.TempDir()
	cfg := &Config{
		Rootfs: Rootfs{
			Lower:  []string{lower},
			Upper:  filepath.Join(dir, "upper"),
			Work:   filepath.Join(dir, "work"),
			Target: filepath.Join(dir, "rootfs"),
		},
		Process:  Process{Args: args, Env: []string{"PATH=/bin"}, Cwd: "/"},
		Hostname: "pockettest",
		Network:  "none",
	}
	for _, d := range []string{cfg.Rootfs.Upper, cfg.Rootfs.Work, cfg.Rootfs.Target} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return cfg
}

// result is what the user sees of one container run.
type result struct {
	Stdout string
	Code   int
	Err    *Error // the setup error init reported, if any
}

// run starts the test binary as init in new namespaces, as pocket run
// does, and checks that nothing stayed mounted on the host.
func run(t *testing.T, cfg *Config) result {
	t.Helper()
	cfgR, cfgW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	flags := syscall.CLONE_NEWNS | syscall.CLONE_NEWUTS | syscall.CLONE_NEWIPC | syscall.CLONE_NEWPID
	if cfg.Network == "none" {
		flags |= syscall.CLONE_NEWNET
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(os.Args[0])
	cmd.Env = []string{initEnv + "=1"}
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.ExtraFiles = []*os.File{cfgR, errW}
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: uintptr(flags), Pdeathsig: syscall.SIGKILL}
	var sock, peer *os.File
	if cfg.Process.Terminal {
		fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		sock, peer = os.NewFile(uintptr(fds[0]), "console"), os.NewFile(uintptr(fds[1]), "console")
		defer sock.Close()
		cmd.ExtraFiles = append(cmd.ExtraFiles, peer) // ConsoleFD
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	cfgR.Close()
	errW.Close()
	if peer != nil {
		peer.Close()
	}
	if err := json.NewEncoder(cfgW).Encode(cfg); err != nil {
		t.Fatal(err)
	}
	cfgW.Close()
	var copied chan struct{}
	if sock != nil {
		ptmx, err := ReceiveConsole(sock)
		if err != nil {
			t.Fatal(err)
		}
		defer ptmx.Close()
		if err := unix.IoctlSetWinsize(int(ptmx.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 80}); err != nil {
			t.Fatal(err)
		}
		copied = make(chan struct{})
		go func() {
			defer close(copied)
			io.Copy(&stdout, ptmx) // ends with EIO when the container is gone
		}()
		if _, err := sock.Write([]byte{0}); err != nil {
			t.Fatal(err)
		}
	}
	initErr := ReadError(errR)
	errR.Close()
	werr := cmd.Wait()
	if copied != nil {
		<-copied
	}

	var res result
	if initErr != nil {
		if !errors.As(initErr, &res.Err) {
			t.Fatalf("ReadError: %v", initErr)
		}
	}
	var ee *exec.ExitError
	switch {
	case errors.As(werr, &ee):
		res.Code = ee.ExitCode()
	case werr != nil:
		t.Fatal(werr)
	}
	res.Stdout = stdout.String()
	if strings.Contains(stderr.String(), "goroutine ") {
		t.Errorf("init printed a stack trace:\n%s", stderr.String())
	}
	if testing.Verbose() || (res.Err == nil && res.Code != 0) {
		t.Logf("stderr: %s", stderr.String())
	}
	assertNotMounted(t, filepath.Dir(cfg.Rootfs.Target))
	return res
}

// assertNotMounted fails if anything at or under dir is mounted on the host.
func assertNotMounted(t *testing.T, dir string) {
	t.Helper()
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) > 4 && (fields[4] == dir || strings.HasPrefix(fields[4], dir+"/")) {
			t.Errorf("left mounted on the host: %s", s.Text())
		}
	}
}
