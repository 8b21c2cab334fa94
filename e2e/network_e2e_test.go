//go:build linux

package e2e

// End-to-end tests of bridge networking. TestMain runs them in a network
// namespace of their own (see inNewNetns): pocket0, its NAT and the
// "outside" network below exist only there.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// netSettings is the part of inspect's NetworkSettings the tests read.
type netSettings struct {
	IPAddress   string
	Gateway     string
	IPPrefixLen int
	Ports       map[string][]struct{ HostIp, HostPort string }
	Networks    map[string]struct{ IPAddress, Gateway string }
}

func inspectNet(t *testing.T, root, id string) (netSettings, string) {
	t.Helper()
	var in []struct {
		Id              string
		NetworkSettings netSettings
	}
	r := mustPocket(t, root, "inspect", id)
	if err := json.Unmarshal([]byte(r.Stdout), &in); err != nil || len(in) != 1 {
		t.Fatalf("inspect %s: %v\n%s", id, err, r.Stdout)
	}
	return in[0].NetworkSettings, in[0].Id
}

// removeAll force-removes the test's containers so no attachment outlives
// the test (the next test's store shares pocket0).
func removeAll(t *testing.T, root string) {
	t.Cleanup(func() {
		for _, id := range lines(pocket(t, root, "ps", "-aq").Stdout) {
			pocket(t, root, "rm", "-f", id)
		}
	})
}

// freeLoopbackPort is a TCP port nothing listens on at 127.0.0.1 right now.
func freeLoopbackPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// readFrom dials addr and returns what the server says before closing.
func readFrom(addr string) (string, error) {
	c, err := net.Dial("tcp4", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	b, err := bufio.NewReader(c).ReadString('\n')
	return b, err
}

const echoServer = "nc -ll -p 80 -e echo hi"

func TestNetworkContainerToContainer(t *testing.T) {
	root := newRoot(t)
	removeAll(t, root)
	mustPocket(t, root, "run", "-d", "--name", "srv", "busybox", "sh", "-c", echoServer)
	ns, _ := inspectNet(t, root, "srv")
	if net.ParseIP(ns.IPAddress) == nil || ns.Gateway == "" || ns.IPPrefixLen == 0 {
		t.Fatalf("inspect NetworkSettings: %+v", ns)
	}
	if got := ns.Networks["bridge"].IPAddress; got != ns.IPAddress {
		t.Errorf("Networks.bridge.IPAddress %q, want %q", got, ns.IPAddress)
	}
	var out string
	eventually(t, "client container reaches the server by IP", func() bool {
		r := pocket(t, root, "run", "--rm", "busybox", "nc", ns.IPAddress, "80")
		out = r.Stdout
		return r.Code == 0 && out == "hi\n"
	})
	// The container's own name resolves to its address.
	r := mustPocket(t, root, "run", "--rm", "--hostname", "me", "busybox", "sh", "-c",
		`ip -4 -o addr show eth0 | awk '{print $4}'; grep -w me /etc/hosts | cut -f1; ip route | awk '/default/ {print $3}'`)
	f := lines(r.Stdout)
	if len(f) != 3 || strings.Split(f[0], "/")[0] != f[1] || f[2] != ns.Gateway {
		t.Errorf("eth0 address, hosts entry, default route: %q (gateway %s)", f, ns.Gateway)
	}
}

func TestNetworkPublish(t *testing.T) {
	root := newRoot(t)
	removeAll(t, root)
	port := freeLoopbackPort(t)
	mustPocket(t, root, "run", "-d", "--name", "web", "-p", fmt.Sprintf("127.0.0.1:%d:80", port), "busybox", "sh", "-c", echoServer)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	eventually(t, "published port answers on the host's loopback", func() bool {
		s, err := readFrom(addr)
		return err == nil && s == "hi\n"
	})
	if r := mustPocket(t, root, "port", "web"); r.Stdout != "80/tcp -> "+addr+"\n" {
		t.Errorf("port web: %q", r.Stdout)
	}
	if r := mustPocket(t, root, "port", "web", "80/tcp"); r.Stdout != addr+"\n" {
		t.Errorf("port web 80/tcp: %q", r.Stdout)
	}
	if r := pocket(t, root, "port", "web", "81"); r.Code == 0 || !strings.Contains(r.Stderr, "81/tcp") {
		t.Errorf("port web 81: %s", r)
	}
	r := mustPocket(t, root, "ps", "--format", "json")
	if !strings.Contains(r.Stdout, `"Ports":"`+addr+`->80/tcp"`) {
		t.Errorf("ps Ports: %s", r.Stdout)
	}
	ns, _ := inspectNet(t, root, "web")
	want := map[string][]struct{ HostIp, HostPort string }{"80/tcp": {{"127.0.0.1", fmt.Sprint(port)}}}
	if diff := cmp.Diff(want, ns.Ports); diff != "" {
		t.Errorf("inspect Ports (-want +got):\n%s", diff)
	}

	// The port is taken now: a second container cannot have it.
	r = pocket(t, root, "run", "--rm", "-p", fmt.Sprintf("127.0.0.1:%d:80", port), "busybox", "true")
	if r.Code != 125 || !strings.Contains(r.Stderr, "port is already allocated") || !strings.Contains(r.Stderr, fmt.Sprint(port)) {
		t.Errorf("second publish of %d: %s", port, r)
	}

	// -P publishes what the image exposes on free ports.
	pushImage(t, "exposing", func(c *v1.Config) { c.ExposedPorts = map[string]struct{}{"80/tcp": {}} })
	mustPocket(t, root, "run", "-d", "--name", "all", "-P", "exposing", "sh", "-c", echoServer)
	lns := lines(mustPocket(t, root, "port", "all").Stdout)
	if len(lns) != 1 || !strings.HasPrefix(lns[0], "80/tcp -> 0.0.0.0:") {
		t.Fatalf("port all: %q", lns)
	}
	hostPort := strings.TrimPrefix(lns[0], "80/tcp -> 0.0.0.0:")
	eventually(t, "-P port answers", func() bool {
		s, err := readFrom("127.0.0.1:" + hostPort)
		return err == nil && s == "hi\n"
	})

	mustPocket(t, root, "rm", "-f", "web")
	if _, err := readFrom(addr); err == nil {
		t.Errorf("%s still answers after rm -f", addr)
	}
}

// TestNetworkOutbound checks NAT: a container reaches a server outside the
// host (a network namespace the test makes, 192.0.2.0/30 on a veth) and
// the server sees the host's address, not the container's.
func TestNetworkOutbound(t *testing.T) {
	root := newRoot(t)
	outside := outsideNetwork(t)
	l := listenIn(t, outside, "192.0.2.2:8000")
	peers := make(chan string, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		peers <- c.RemoteAddr().(*net.TCPAddr).IP.String()
		fmt.Fprintln(c, "outside")
		c.Close()
	}()
	r := mustPocket(t, root, "run", "--rm", "busybox", "nc", "192.0.2.2", "8000")
	if r.Stdout != "outside\n" {
		t.Errorf("container got %q from the outside server", r.Stdout)
	}
	if peer := <-peers; peer != "192.0.2.1" {
		t.Errorf("server saw %s, want the host's 192.0.2.1 (masquerade)", peer)
	}
	// network none stays without a route.
	r = pocket(t, root, "run", "--rm", "--network", "none", "busybox", "nc", "-w", "1", "192.0.2.2", "8000")
	if r.Code == 0 {
		t.Errorf("--network none reached the outside: %s", r)
	}
}

// outsideNetwork makes a network namespace joined to ours by a veth:
// 192.0.2.1 here, 192.0.2.2 there (TEST-NET-1, RFC 5737).
func outsideNetwork(t *testing.T) netns.NsHandle {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	here, err := netns.Get()
	if err != nil {
		t.Fatal(err)
	}
	defer here.Close()
	there, err := netns.New() // switches this thread to it
	if err != nil {
		t.Fatal(err)
	}
	if err := netns.Set(here); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { there.Close() })
	la := netlink.NewLinkAttrs()
	la.Name = "pktest0"
	if err := netlink.LinkAdd(&netlink.Veth{LinkAttrs: la, PeerName: "pktest1"}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if l, err := netlink.LinkByName("pktest0"); err == nil {
			netlink.LinkDel(l)
		}
	})
	host, _ := netlink.LinkByName("pktest0")
	peer, _ := netlink.LinkByName("pktest1")
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(netlink.AddrAdd(host, &netlink.Addr{IPNet: &net.IPNet{IP: net.IPv4(192, 0, 2, 1), Mask: net.CIDRMask(30, 32)}}))
	must(netlink.LinkSetUp(host))
	must(netlink.LinkSetNsFd(peer, int(there)))
	h, err := netlink.NewHandleAt(there)
	must(err)
	defer h.Close()
	peer, err = h.LinkByName("pktest1")
	must(err)
	must(h.AddrAdd(peer, &netlink.Addr{IPNet: &net.IPNet{IP: net.IPv4(192, 0, 2, 2), Mask: net.CIDRMask(30, 32)}}))
	must(h.LinkSetUp(peer))
	return there
}

// listenIn listens on addr inside the network namespace ns.
func listenIn(t *testing.T, ns netns.NsHandle, addr string) net.Listener {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	here, err := netns.Get()
	if err != nil {
		t.Fatal(err)
	}
	defer here.Close()
	if err := netns.Set(ns); err != nil {
		t.Fatal(err)
	}
	l, lerr := net.Listen("tcp4", addr)
	if err := netns.Set(here); err != nil {
		t.Fatal(err)
	}
	if lerr != nil {
		t.Fatal(lerr)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func TestNetworkDNSAndHosts(t *testing.T) {
	root := newRoot(t)
	r := mustPocket(t, root, "run", "--rm", "--dns", "192.0.2.53", "--dns-search", "example.test", "--dns-option", "ndots:2",
		"--add-host", "db:192.0.2.7", "--add-host", "gw:host-gateway", "busybox", "sh", "-c",
		`cat /etc/resolv.conf; echo ---; grep -E '\s(db|gw)$' /etc/hosts; ip route | awk '/default/ {print "route " $3}'`)
	resolv, hosts, _ := strings.Cut(r.Stdout, "---\n")
	// Docker's order: search, nameserver, options, and nothing else.
	if want := "search example.test\nnameserver 192.0.2.53\noptions ndots:2\n"; resolv != want {
		t.Errorf("resolv.conf %q, want %q", resolv, want)
	}
	f := lines(hosts)
	if len(f) != 3 || f[0] != "192.0.2.7\tdb" || !strings.HasPrefix(f[2], "route ") || f[1] != strings.TrimPrefix(f[2], "route ")+"\tgw" {
		t.Errorf("hosts entries and default route: %q", f)
	}
	// --add-host works without the bridge too.
	r = mustPocket(t, root, "run", "--rm", "--network", "none", "--add-host", "db:192.0.2.7", "busybox", "grep", "db", "/etc/hosts")
	if r.Stdout != "192.0.2.7\tdb\n" {
		t.Errorf("--network none --add-host: %q", r.Stdout)
	}
}

func TestNetworkErrors(t *testing.T) {
	root := newRoot(t)
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"publish with none", []string{"--network", "none", "-p", "80", "busybox", "true"}, "conflicting options: port publishing and the container type network mode"},
		{"publish with host", []string{"--network", "host", "-P", "busybox", "true"}, "conflicting options: port publishing"},
		{"bad port", []string{"-p", "8080:http", "busybox", "true"}, `"8080:http"`},
		{"bad proto", []string{"-p", "80/sctp", "busybox", "true"}, `"80/sctp"`},
		{"bad dns", []string{"--dns", "resolver", "busybox", "true"}, `"resolver"`},
		{"bad add-host", []string{"--add-host", "db", "busybox", "true"}, `"db"`},
		{"host-gateway without bridge", []string{"--network", "none", "--add-host", "gw:host-gateway", "busybox", "true"}, "host-gateway"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := pocket(t, root, append([]string{"run", "--rm"}, tt.args...)...)
			if r.Code != 125 || !strings.Contains(r.Stderr, tt.stderr) || !strings.Contains(r.Stderr, "hint") || len(lines(r.Stderr)) != 1 {
				t.Errorf("want 125 and one line with %q and a hint\n%s", tt.stderr, r)
			}
		})
	}
}

func TestNetworkConcurrentAddresses(t *testing.T) {
	root := newRoot(t)
	removeAll(t, root)
	mustPocket(t, root, "pull", "-q", "busybox")
	const n = 20
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := pocket(t, root, "run", "-d", "busybox", "sleep", "1000")
			if r.Code != 0 {
				t.Errorf("run %d: %s", i, r)
			}
			ids[i] = strings.TrimSpace(r.Stdout)
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	seen := map[string]bool{}
	for _, id := range ids {
		ns, _ := inspectNet(t, root, id)
		if ns.IPAddress == "" || seen[ns.IPAddress] {
			t.Errorf("container %s has address %q, empty or already given", id[:12], ns.IPAddress)
		}
		seen[ns.IPAddress] = true
	}
	if got := len(bridgePorts(t)); got != n {
		t.Errorf("%d veths on pocket0, want %d", got, n)
	}
}

// bridgePorts lists the interfaces attached to pocket0 (by netlink: /sys
// shows the host's namespace, not the test's).
func bridgePorts(t *testing.T) []string {
	t.Helper()
	br, err := netlink.LinkByName("pocket0")
	if err != nil {
		return nil
	}
	links, err := netlink.LinkList()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range links {
		if l.Attrs().MasterIndex == br.Attrs().Index {
			out = append(out, l.Attrs().Name)
		}
	}
	return out
}

func iptablesSave(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("iptables-save").Output()
	if err != nil {
		t.Fatalf("iptables-save: %v", err)
	}
	return string(out)
}

func TestNetworkKilledMonitorCleanedUp(t *testing.T) {
	root := newRoot(t)
	removeAll(t, root)
	id := strings.TrimSpace(mustPocket(t, root, "run", "-d", "--name", "orphan", "-p", "127.0.0.1::80", "busybox", "sleep", "1000").Stdout)
	state := filepath.Join(networkState, "network.json")
	if b, _ := os.ReadFile(state); !strings.Contains(string(b), id) {
		t.Fatalf("no allocation for %s in %s:\n%s", id, state, b)
	}
	if !strings.Contains(iptablesSave(t), "pocket:"+id) || len(bridgePorts(t)) != 1 {
		t.Fatalf("no rules or veth for the container")
	}
	var in []struct{ State struct{ Pid int } }
	if err := json.Unmarshal([]byte(mustPocket(t, root, "inspect", id).Stdout), &in); err != nil || len(in) != 1 {
		t.Fatal(err)
	}
	if err := syscallKill(ppid(t, in[0].State.Pid)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "ps shows the container exited", func() bool {
		return strings.HasPrefix(psStatus(t, root, "orphan"), "Exited (137) ")
	})
	if b, _ := os.ReadFile(state); strings.Contains(string(b), id) {
		t.Errorf("allocation of the dead container left after ps:\n%s", b)
	}
	if strings.Contains(iptablesSave(t), "pocket:"+id) {
		t.Errorf("rules of the dead container left after ps")
	}
	// The kernel deletes the veth with the dead container's namespace,
	// asynchronously.
	eventually(t, "no veth left on pocket0", func() bool { return len(bridgePorts(t)) == 0 })
}

func TestNetworkPrune(t *testing.T) {
	root := newRoot(t)
	removeAll(t, root)
	mustPocket(t, root, "run", "-d", "--name", "user", "busybox", "sleep", "1000")
	if r := mustPocket(t, root, "network", "prune", "-f"); r.Stdout != "" {
		t.Errorf("network prune with a container attached said %q", r.Stdout)
	}
	if _, err := net.InterfaceByName("pocket0"); err != nil {
		t.Fatalf("pocket0 removed while in use: %v", err)
	}
	mustPocket(t, root, "rm", "-f", "user")
	if r := mustPocket(t, root, "network", "prune", "-f"); r.Stdout != "Deleted Networks:\npocket0\n\n" {
		t.Errorf("network prune: %q", r.Stdout)
	}
	if _, err := net.InterfaceByName("pocket0"); err == nil {
		t.Errorf("pocket0 still there after network prune")
	}
	if strings.Contains(iptablesSave(t), "POCKET") {
		t.Errorf("pocket's chains left after network prune")
	}
	// system prune removes stopped containers and the unused bridge.
	mustPocket(t, root, "run", "--name", "stopped", "busybox", "true")
	r := mustPocket(t, root, "system", "prune", "-f")
	if !strings.Contains(r.Stdout, "Deleted Containers:\n") || !strings.Contains(r.Stdout, "Deleted Networks:\npocket0\n") {
		t.Errorf("system prune:\n%s", r.Stdout)
	}
	if r := mustPocket(t, root, "ps", "-aq"); r.Stdout != "" {
		t.Errorf("containers after system prune: %q", r.Stdout)
	}
}

// TestNetworkTwoStores: the bridge is the host's, so the containers of two
// stores (two CI jobs, each with its own --root) share it: they get
// distinct addresses and reach each other, and one store's prune leaves
// the bridge to the other's containers.
func TestNetworkTwoStores(t *testing.T) {
	roots := []string{newRoot(t), newRoot(t)}
	ips := make([]string, 2)
	for i, root := range roots {
		removeAll(t, root)
		mustPocket(t, root, "run", "-d", "--name", "srv", "busybox", "sh", "-c", fmt.Sprintf("nc -ll -p 80 -e echo store%d", i))
		ns, _ := inspectNet(t, root, "srv")
		ips[i] = ns.IPAddress
	}
	if net.ParseIP(ips[0]) == nil || ips[0] == ips[1] {
		t.Fatalf("the stores' containers got addresses %q: want two distinct ones", ips)
	}
	b, err := os.ReadFile(filepath.Join(networkState, "network.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, root := range roots {
		if !strings.Contains(string(b), root) {
			t.Errorf("the host's allocations do not name store %s:\n%s", root, b)
		}
	}
	// A container of each store reaches the other store's by address.
	for i, root := range roots {
		other := 1 - i
		want := fmt.Sprintf("store%d\n", other)
		eventually(t, fmt.Sprintf("store %d reaches store %d's container", i, other), func() bool {
			r := pocket(t, root, "run", "--rm", "busybox", "nc", ips[other], "80")
			return r.Code == 0 && r.Stdout == want
		})
	}

	// Store 0 has no container left, store 1 still has one: store 0's
	// prune keeps the bridge.
	mustPocket(t, roots[0], "rm", "-f", "srv")
	if r := mustPocket(t, roots[0], "network", "prune", "-f"); r.Stdout != "" {
		t.Errorf("network prune with another store's container attached said %q", r.Stdout)
	}
	if _, err := net.InterfaceByName("pocket0"); err != nil {
		t.Fatalf("pocket0 removed while another store's container uses it: %v", err)
	}
	if s, err := readFrom(ips[1] + ":80"); err != nil || s != "store1\n" {
		t.Errorf("store 1's container after store 0's prune: %q, %v", s, err)
	}
	mustPocket(t, roots[1], "rm", "-f", "srv")
	if r := mustPocket(t, roots[0], "network", "prune", "-f"); r.Stdout != "Deleted Networks:\npocket0\n\n" {
		t.Errorf("network prune once no store has a container: %q", r.Stdout)
	}
	if _, err := net.InterfaceByName("pocket0"); err == nil {
		t.Errorf("pocket0 still there after network prune")
	}
}

func syscallKill(pid int) error { return syscall.Kill(pid, syscall.SIGKILL) }

// TestNetworkRootless: rootless, bridge means user-mode networking (pasta
// or slirp4netns on a tap device). Where the user may open /dev/net/tun
// (Debian's udev rule makes it 0666) the container reaches the outside
// network and a published port answers; where the user may not (0600) the
// default stays none and an explicit bridge is refused with a hint. Both
// hosts are made by bind-mounting a tun node of that mode over the real
// one in the tests' own mount namespace: the host's node is not touched.
func TestNetworkRootless(t *testing.T) {
	e := newRootlessEnv(t, userWithSubIDs)
	e.must(t, "pull", "-q", "busybox")

	t.Run("tun refused", func(t *testing.T) {
		withTun(t, 0o600)
		if got := e.out(t, "ls", "/sys/class/net"); got != "lo" {
			t.Errorf("default network rootless without tun: links %q, want lo only", got)
		}
		r := e.pocket(t, "run", "--rm", "--network", "bridge", "busybox", "true")
		if r.Code != 125 || !strings.Contains(r.Stderr, "/dev/net/tun") || !strings.Contains(r.Stderr, "hint") {
			t.Errorf("--network bridge rootless without tun: want 125 naming /dev/net/tun with a hint\n%s", r)
		}
	})

	t.Run("tun usable", func(t *testing.T) {
		withTun(t, 0o666)
		outside := outsideNetwork(t)
		l := listenIn(t, outside, "192.0.2.2:8000")
		// Every connection is answered at once. The client keeps its input
		// open for a moment: a bare nc with no input half-closes at once,
		// and Debian 12's pasta then sometimes never relays the reply.
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				fmt.Fprintln(c, "outside")
				c.Close()
			}
		}()
		if got := e.out(t, "sh", "-c", "sleep 3 | nc 192.0.2.2 8000"); got != "outside" {
			t.Errorf("rootless container got %q from the outside server", got)
		}
		port := freeLoopbackPort(t)
		id := strings.TrimSpace(e.must(t, "run", "-d", "-p", fmt.Sprintf("127.0.0.1:%d:80", port), "busybox", "sh", "-c", echoServer).Stdout)
		defer e.pocket(t, "rm", "-f", id)
		eventually(t, "rootless published port answers", func() bool {
			s, err := readFrom(fmt.Sprintf("127.0.0.1:%d", port))
			return err == nil && s == "hi\n"
		})
	})
}

// withTun bind-mounts a tun device node of the given mode over
// /dev/net/tun for the rest of the test (see withDevice).
func withTun(t *testing.T, mode uint32) {
	t.Helper()
	withDevice(t, "/dev/net/tun", 10, 200, mode)
}

// withDevice bind-mounts a character device node major:minor of the given
// mode over path for the rest of the test. The node lives on a tmpfs of
// the test's own (the e2e binary runs in a mount namespace of its own, a
// slave of the host's), so the host's node is never changed.
func withDevice(t *testing.T, path string, major, minor uint32, mode uint32) {
	t.Helper()
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=64k"); err != nil {
		t.Fatalf("tmpfs for a %s node: %v", path, err)
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
	node := filepath.Join(dir, filepath.Base(path))
	if err := unix.Mknod(node, unix.S_IFCHR|mode, int(unix.Mkdev(major, minor))); err != nil {
		t.Fatalf("mknod %s: %v", path, err)
	}
	if err := unix.Chmod(node, mode); err != nil { // past the umask
		t.Fatal(err)
	}
	if err := unix.Mount(node, path, "", unix.MS_BIND, ""); err != nil {
		t.Fatalf("bind a %s node of mode %o: %v", path, mode, err)
	}
	t.Cleanup(func() { unix.Unmount(path, unix.MNT_DETACH) })
}
