package network

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// The tests change the bridge, iptables and sysctls of whatever network
// namespace they run in, so as root TestMain re-runs the test binary in a
// fresh one: the host's network is never touched, and every address the
// tests send traffic to lives inside it.
const netnsEnv = "POCKET_NETWORK_TEST_NETNS"

func TestMain(m *testing.M) {
	if os.Geteuid() == 0 && os.Getenv(netnsEnv) == "" {
		cmd := exec.Command("/proc/self/exe", os.Args[1:]...)
		cmd.Env = append(os.Environ(), netnsEnv+"=1")
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET, Pdeathsig: syscall.SIGKILL}
		if err := cmd.Run(); err != nil {
			if ee, ok := err.(*exec.ExitError); ok {
				os.Exit(ee.ExitCode())
			}
			fmt.Fprintln(os.Stderr, "re-run tests in a new network namespace:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if os.Getenv(netnsEnv) != "" {
		lo, err := netlink.LinkByName("lo")
		if err == nil {
			err = netlink.LinkSetUp(lo)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bring up lo:", err)
			os.Exit(1)
		}
	}
	os.Exit(m.Run())
}

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (bridges, veths, iptables)")
	}
}

// testRoot is the store root of the tests' containers: the network
// package only records it, so it need not exist.
const testRoot = "/var/lib/pocket-network-test"

// newID is a fresh container of the store at testRoot.
func newID(t *testing.T) Owner { return newOwner(t, testRoot) }

// newOwner is a fresh container of the store at root.
func newOwner(t *testing.T, root string) Owner {
	b := make([]byte, 32)
	rand.Read(b)
	return Owner{Root: root, ID: hex.EncodeToString(b)}
}

// container starts a process in new namespaces (a new network namespace
// and the extra clone flags) that lives until the test ends or it is killed.
func container(t *testing.T, flags uintptr) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "300")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET | flags, Pdeathsig: syscall.SIGKILL}
	if flags&syscall.CLONE_NEWUSER != 0 {
		cmd.SysProcAttr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}}
		cmd.SysProcAttr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}}
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start container: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}

// inNetns runs fn on a thread in pid's network namespace (pid 0: ours).
// Sockets keep the namespace they were created in, so listeners and
// connections made by fn work from any goroutine afterwards.
func inNetns(t *testing.T, pid int, fn func() error) error {
	t.Helper()
	if pid == 0 {
		return fn()
	}
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// Go back to our namespace afterwards: a locked thread that
		// exits would also fire the Pdeathsig of children started from
		// it. If that fails the thread stays locked and dies with the
		// goroutine rather than serving others in the wrong namespace.
		orig, err := netns.Get()
		if err != nil {
			done <- err
			return
		}
		defer orig.Close()
		h, err := netns.GetFromPid(pid)
		if err != nil {
			done <- err
			return
		}
		defer h.Close()
		if err := netns.Set(h); err != nil {
			done <- err
			return
		}
		err = fn()
		if netns.Set(orig) == nil {
			runtime.UnlockOSThread()
		}
		done <- err
	}()
	return <-done
}

// serve listens on addr in pid's namespace and answers every connection
// with reply, or with the client's address when reply is "".
func serve(t *testing.T, pid int, addr, reply string) {
	t.Helper()
	var l net.Listener
	err := inNetns(t, pid, func() (err error) {
		l, err = net.Listen("tcp4", addr)
		return err
	})
	if err != nil {
		t.Fatalf("listen on %s in pid %d: %v", addr, pid, err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			r := reply
			if r == "" {
				r, _, _ = net.SplitHostPort(c.RemoteAddr().String())
			}
			io.WriteString(c, r)
			c.Close()
		}
	}()
}

// dial connects to addr from pid's namespace and returns what it reads.
func dial(t *testing.T, pid int, addr string) (string, error) {
	t.Helper()
	var c net.Conn
	err := inNetns(t, pid, func() (err error) {
		c, err = net.DialTimeout("tcp4", addr, 10*time.Second)
		return err
	})
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	b, err := io.ReadAll(c)
	return string(b), err
}

func mustDial(t *testing.T, pid int, addr, want string) {
	t.Helper()
	got, err := dial(t, pid, addr)
	if err != nil {
		t.Errorf("dial %s from pid %d: %v", addr, pid, err)
		return
	}
	if got != want {
		t.Errorf("dial %s from pid %d: got %q, want %q", addr, pid, got, want)
	}
}

// pocketRules lists the rules in pocket's chains that mention id ("" for
// any rule at all, chains included).
func pocketRules(t *testing.T, id string) []string {
	t.Helper()
	var out []string
	for _, table := range []string{"nat", "filter"} {
		b, err := exec.Command("iptables", "-t", table, "-S").CombinedOutput()
		if err != nil {
			t.Fatalf("iptables -S: %v: %s", err, b)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if id != "" && strings.Contains(line, "pocket:"+id) || id == "" && strings.Contains(line, "POCKET") {
				out = append(out, table+": "+line)
			}
		}
	}
	return out
}

func linkExists(t *testing.T, name string) bool {
	t.Helper()
	_, err := netlink.LinkByName(name)
	if err != nil && !isNotFound(err) {
		t.Fatal(err)
	}
	return err == nil
}

// assertGone checks that nothing of o is left: veth, rules, allocation.
func assertGone(t *testing.T, dir string, o Owner, veth string) {
	t.Helper()
	if linkExists(t, veth) {
		t.Errorf("veth %s of %s still exists", veth, o)
	}
	if r := pocketRules(t, o.ID+":"+veth); len(r) > 0 {
		t.Errorf("rules of %s still exist: %q", o, r)
	}
	st, err := load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.find(o) != nil {
		t.Errorf("allocation of %s still exists", o)
	}
}

// pruned tears everything down at the end of a test and checks that
// Prune leaves nothing.
func pruned(t *testing.T, dir string) {
	t.Helper()
	if err := Prune(dir); err != nil {
		t.Fatalf("Prune: %v", err)
	}
	if linkExists(t, BridgeName) {
		t.Errorf("bridge %s still exists after Prune", BridgeName)
	}
	if r := pocketRules(t, ""); len(r) > 0 {
		t.Errorf("pocket's rules still exist after Prune: %q", r)
	}
}
