//go:build linux

package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"pocket/internal/pocketbuild"
	"pocket/internal/testimages"
	"pocket/internal/testregistry"
)

// result is what a user sees of one pocket command.
type result struct {
	Stdout, Stderr string
	Code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.Code, r.Stdout, r.Stderr)
}

var (
	// testRegistry serves the test images; its URL is pocket's mirror.
	testRegistry *testregistry.Registry
	// pocketBin is the pocket binary built for this test run.
	pocketBin string
	// networkState stands in for /run/pocket/network, the host-wide
	// record of the bridge's addresses (see testEnv).
	networkState string
)

// commandTimeout bounds every pocket command a test runs.
const commandTimeout = 2 * time.Minute

// testImages are pushed before any test runs, under Docker Hub names.
var testImages = []struct {
	ref   string
	image func() (any, error)
}{
	{"library/hello-world:latest", func() (any, error) { return testimages.Hello() }},
	{"library/busybox:latest", func() (any, error) { return testimages.Busybox() }},
	{"library/layered:latest", func() (any, error) { return testimages.Layered() }},
	{"library/multiarch:latest", func() (any, error) { return testimages.Index() }},
}

func TestMain(m *testing.M) {
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "pocket's end-to-end tests need root (namespaces, mounts, cgroups): run them as root, e.g. sudo make test")
		os.Exit(1)
	}
	if os.Getenv(netnsEnv) == "" {
		os.Exit(inNewNetns())
	}
	code, err := setup(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e setup:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

// Containers get addresses on a bridge with NAT and port rules, so the
// tests run in a network namespace of their own: the host's bridge,
// iptables and sysctls are never touched, and every address a test sends
// traffic to lives in that namespace.
const netnsEnv = "POCKET_E2E_NETNS"

// inNewNetns re-runs the test binary in a new network namespace with lo up
// and returns its exit status.
func inNewNetns() int {
	cmd := exec.Command("/proc/self/exe", os.Args[1:]...)
	cmd.Env = append(os.Environ(), netnsEnv+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET | syscall.CLONE_NEWNS, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "re-run tests in a new network namespace:", err)
		return 1
	}
	if err := cmd.Wait(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		return 1
	}
	return 0
}

// testNetns brings lo up and gives the namespace a default route, as
// pasta (rootless networking) wants one to copy: a veth pair whose far end
// has no address, so nothing sent that way leaves the namespace. Name
// lookups go to 127.0.0.1, where nothing answers: a name outside the
// tests (Docker Hub, after the mirror) fails at once, as it does on a host
// without internet, instead of timing out on the dead-end route. Without
// withRoute (the test VMs: no veth module, no pasta) there is lo alone.
func testNetns(withRoute bool) error {
	if err := testResolvConf(); err != nil {
		return err
	}
	lo, err := netlink.LinkByName("lo")
	if err == nil {
		err = netlink.LinkSetUp(lo)
	}
	if err != nil {
		return fmt.Errorf("bring up lo: %w", err)
	}
	if !withRoute {
		return nil
	}
	la := netlink.NewLinkAttrs()
	la.Name = "ext0"
	if err := netlink.LinkAdd(&netlink.Veth{LinkAttrs: la, PeerName: "ext1"}); err != nil {
		return fmt.Errorf("add ext0: %w", err)
	}
	ext, err := netlink.LinkByName("ext0")
	if err != nil {
		return err
	}
	addr, _ := netlink.ParseAddr("198.51.100.1/24") // TEST-NET-2, RFC 5737
	if err := netlink.AddrAdd(ext, addr); err != nil {
		return fmt.Errorf("address ext0: %w", err)
	}
	if err := netlink.LinkSetUp(ext); err != nil {
		return err
	}
	if err := netlink.RouteAdd(&netlink.Route{LinkIndex: ext.Attrs().Index, Gw: net.ParseIP("198.51.100.254")}); err != nil {
		return fmt.Errorf("default route: %w", err)
	}
	return nil
}

// testResolvConf bind-mounts a resolv.conf naming only 127.0.0.1 over
// /etc/resolv.conf, in the tests' own mount namespace (made a slave first,
// so nothing reaches the host's).
func testResolvConf() error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_SLAVE, ""); err != nil {
		return fmt.Errorf("make / rslave: %w", err)
	}
	f, err := os.CreateTemp("", "pocket-e2e-resolv-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString("nameserver 127.0.0.1\n"); err != nil {
		return err
	}
	f.Close()
	if err := unix.Mount(f.Name(), "/etc/resolv.conf", "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind a resolv.conf for the tests: %w", err)
	}
	return nil
}

// prebuiltEnv names a directory holding a prebuilt pocket binary ("pocket")
// and, optionally, the hello-world image as a `docker save` archive
// ("hello-world.tar"):
// the test VMs (testdata/vm) run this test binary where there is no Go
// toolchain, no docker-registry and no veth module. Then the registry is
// go-containerregistry's, in this process, the namespace has lo alone, and
// the other test images are built from the guest's own /bin/busybox.
const prebuiltEnv = "POCKET_E2E_PREBUILT"

func setup(m *testing.M) (int, error) {
	prebuilt := os.Getenv(prebuiltEnv)
	if err := testNetns(prebuilt == ""); err != nil {
		return 0, err
	}
	tmp, err := os.MkdirTemp("", "pocket-e2e-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	networkState = filepath.Join(tmp, "network")
	if prebuilt != "" {
		pocketBin = filepath.Join(prebuilt, "pocket")
		testRegistry, err = testregistry.StartInProcess()
	} else {
		pocketBin = filepath.Join(tmp, "pocket")
		// The command is the module's root package, one directory up.
		if err := pocketbuild.Build("..", pocketBin, runtime.GOARCH); err != nil {
			return 0, fmt.Errorf("build pocket: %w", err)
		}
		testRegistry, err = testregistry.Start(filepath.Join(tmp, "registry"))
	}
	if err != nil {
		return 0, err
	}
	defer testRegistry.Stop()
	if err := pushTestImages(testRegistry, prebuilt); err != nil {
		return 0, err
	}
	return m.Run(), nil
}

func pushTestImages(r *testregistry.Registry, prebuilt string) error {
	for _, ti := range testImages {
		v, err := ti.image()
		if prebuilt != "" && ti.ref == "library/hello-world:latest" {
			// images.Hello needs the go command; a foreign guest has no
			// hello-world (testdata/vm builds it for the host only).
			archive := filepath.Join(prebuilt, "hello-world.tar")
			if _, serr := os.Stat(archive); serr != nil {
				continue
			}
			v, err = tarball.ImageFromPath(archive, nil)
		}
		if err != nil {
			return fmt.Errorf("build %s: %w", ti.ref, err)
		}
		switch v := v.(type) {
		case v1.Image:
			err = r.Push(ti.ref, v)
		case v1.ImageIndex:
			err = r.PushIndex(ti.ref, v)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// newRoot is a fresh, empty store root for one test.
func newRoot(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "root")
}

// pocketCmd is `pocket --root root --registry-mirror URL args...`, not
// started, for tests that need a background process, a tty or signals.
func pocketCmd(t *testing.T, root string, args ...string) *exec.Cmd {
	t.Helper()
	all := append([]string{"--root", root, "--registry-mirror", testRegistry.URL}, args...)
	cmd := exec.Command(pocketBin, all...)
	cmd.Env = testEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return cmd
}

// testEnv is the environment without the variables that would change
// pocket's behaviour behind a test's back, plus POCKET_NETWORK_STATE: the
// tests' bridge lives in their own network namespace, but /run is the
// host's, so the record of the bridge's addresses must not be the host's
// /run/pocket/network. All the tests' stores share it, as all stores of a
// host share /run/pocket/network.
func testEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "POCKET_") || strings.HasPrefix(kv, "DOCKER_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "POCKET_NETWORK_STATE="+networkState)
}

// pocket runs one pocket command to completion (at most commandTimeout)
// and returns its output and exit status.
func pocket(t *testing.T, root string, args ...string) result {
	t.Helper()
	return runToEnd(t, pocketCmd(t, root, args...), "pocket "+strings.Join(args, " "))
}

// runToEnd runs cmd to completion (at most commandTimeout), failing the
// test if it cannot start or hangs; what names it in messages.
func runToEnd(t *testing.T, cmd *exec.Cmd, what string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// A process left behind holding the output pipes must fail this test,
	// not hang the suite.
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", what, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		cmd.Process.Kill()
		<-done
		t.Fatalf("%s: still running after %v\nstdout:\n%s\nstderr:\n%s", what, commandTimeout, stdout.String(), stderr.String())
	}
	r := result{Stdout: stdout.String(), Stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.Code = ee.ExitCode()
	default:
		t.Fatalf("%s: %v", what, err)
	}
	return r
}

// mustPocket is pocket that fails the test unless the command exits 0.
func mustPocket(t *testing.T, root string, args ...string) result {
	t.Helper()
	r := pocket(t, root, args...)
	if r.Code != 0 {
		t.Fatalf("pocket %s: %s", strings.Join(args, " "), r)
	}
	return r
}

// mustSucceed wraps run, which runs one of tool's commands, so that a
// non-zero exit fails the test with the command and its output, as
// mustPocket does for the store-bound pocket.
func mustSucceed(t *testing.T, tool string, run func(args ...string) result) func(args ...string) result {
	return func(args ...string) result {
		t.Helper()
		r := run(args...)
		if r.Code != 0 {
			t.Fatalf("%s %s: %s", tool, strings.Join(args, " "), r)
		}
		return r
	}
}
