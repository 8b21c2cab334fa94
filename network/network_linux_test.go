package network

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

func TestSetupConnectsAndPublishes(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	a, b := container(t, 0), container(t, 0)
	idA, idB := newID(t), newID(t)

	ports, err := ParsePorts([]string{"18080:80", "127.0.0.1::81"})
	if err != nil {
		t.Fatal(err)
	}
	attA, err := Setup(dir, idA, a.Process.Pid, ports)
	if err != nil {
		t.Fatalf("Setup A: %v", err)
	}
	attB, err := Setup(dir, idB, b.Process.Pid, nil)
	if err != nil {
		t.Fatalf("Setup B: %v", err)
	}
	if attA.Bridge != BridgeName || attA.Veth != "veth"+idA.ID[:8] {
		t.Errorf("attachment A = %+v, want bridge %s and veth veth%s", attA, BridgeName, idA.ID[:8])
	}
	subnet := &net.IPNet{IP: attA.Gateway.Mask(net.CIDRMask(attA.Prefix, 32)), Mask: net.CIDRMask(attA.Prefix, 32)}
	if !subnet.Contains(attA.IP) || !subnet.Contains(attB.IP) || attA.IP.Equal(attB.IP) {
		t.Errorf("addresses A %s, B %s: want distinct addresses in %s", attA.IP, attB.IP, subnet)
	}
	if attA.Ports[0].HostPort != 18080 || attA.Ports[1].HostPort == 0 || attA.Ports[1].HostIP != "127.0.0.1" {
		t.Errorf("published ports = %v, want 18080 and a free port on 127.0.0.1", attA.Ports)
	}
	if got, err := Lookup(dir, idA); err != nil || got.IP.String() != attA.IP.String() || len(got.Ports) != 2 {
		t.Errorf("Lookup(A) = %+v, %v; want %+v", got, err, attA)
	}

	serve(t, a.Process.Pid, ":80", "A80")
	serve(t, a.Process.Pid, ":81", "A81")
	free := strconv.Itoa(int(attA.Ports[1].HostPort))

	// Container to container, by address.
	mustDial(t, b.Process.Pid, net.JoinHostPort(attA.IP.String(), "80"), "A80")
	// Published ports from the host: loopback and the bridge address.
	mustDial(t, 0, "127.0.0.1:18080", "A80")
	mustDial(t, 0, net.JoinHostPort(attA.Gateway.String(), "18080"), "A80")
	mustDial(t, 0, "127.0.0.1:"+free, "A81")
	// A port published on 127.0.0.1 only is not on the bridge address.
	if got, err := dial(t, 0, net.JoinHostPort(attA.Gateway.String(), free)); err == nil {
		t.Errorf("port published on 127.0.0.1 answered on %s: %q", attA.Gateway, got)
	}
	// Another container reaches the published port through the host.
	mustDial(t, b.Process.Pid, net.JoinHostPort(attA.Gateway.String(), "18080"), "A80")
	// And the container its own (hairpin).
	mustDial(t, a.Process.Pid, net.JoinHostPort(attA.Gateway.String(), "18080"), "A80")

	for _, id := range []Owner{idA, idB} {
		if err := Teardown(dir, id); err != nil {
			t.Fatalf("Teardown: %v", err)
		}
		if err := Teardown(dir, id); err != nil {
			t.Fatalf("second Teardown: %v", err)
		}
	}
	assertGone(t, dir, idA, attA.Veth)
	assertGone(t, dir, idB, attB.Veth)
	if _, err := dial(t, 0, "127.0.0.1:18080"); err == nil {
		t.Error("published port still answers after Teardown")
	}
	pruned(t, dir)
}

func TestSetupMasqueradesOutbound(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()

	// "The internet": another namespace behind an uplink veth, with no
	// route back to the bridge subnet, so only NAT lets replies return.
	outside := container(t, 0)
	la := netlink.NewLinkAttrs()
	la.Name = "uplink0"
	if err := netlink.LinkAdd(&netlink.Veth{LinkAttrs: la, PeerName: "eth0", PeerNamespace: netlink.NsPid(outside.Process.Pid)}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if l, err := netlink.LinkByName("uplink0"); err == nil {
			netlink.LinkDel(l)
		}
	})
	up, err := netlink.LinkByName("uplink0")
	if err != nil {
		t.Fatal(err)
	}
	hostAddr, _ := netlink.ParseAddr("203.0.113.1/24")
	if err := netlink.AddrAdd(up, hostAddr); err != nil {
		t.Fatal(err)
	}
	if err := netlink.LinkSetUp(up); err != nil {
		t.Fatal(err)
	}
	nsh, err := netns.GetFromPid(outside.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	defer nsh.Close()
	h, err := netlink.NewHandleAt(nsh)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	eth, err := h.LinkByName("eth0")
	if err != nil {
		t.Fatal(err)
	}
	outAddr, _ := netlink.ParseAddr("203.0.113.2/24")
	if err := h.AddrAdd(eth, outAddr); err != nil {
		t.Fatal(err)
	}
	if err := h.LinkSetUp(eth); err != nil {
		t.Fatal(err)
	}
	serve(t, outside.Process.Pid, "203.0.113.2:8000", "") // replies with the client's address

	c := container(t, 0)
	id := newID(t)
	att, err := Setup(dir, id, c.Process.Pid, nil)
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}
	// The server sees the host's uplink address, not the container's.
	mustDial(t, c.Process.Pid, "203.0.113.2:8000", "203.0.113.1")
	// The container also reaches a server on the host's bridge address.
	serve(t, 0, net.JoinHostPort(att.Gateway.String(), "8001"), "host")
	mustDial(t, c.Process.Pid, net.JoinHostPort(att.Gateway.String(), "8001"), "host")

	if err := Teardown(dir, id); err != nil {
		t.Fatal(err)
	}
	assertGone(t, dir, id, att.Veth)
	pruned(t, dir)
}

func TestSetupConcurrentAndCleanup(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	const n = 20
	procs := make([]int, n)
	ids := make([]Owner, n)
	for i := range n {
		procs[i] = container(t, 0).Process.Pid
		ids[i] = newID(t)
	}
	atts := make([]*Attachment, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each publishes a free host port too, so port picking
			// races as well.
			atts[i], errs[i] = Setup(dir, ids[i], procs[i], []Port{{ContainerPort: 80, Proto: "tcp"}})
		}()
	}
	wg.Wait()
	seenIP, seenPort := map[string]bool{}, map[uint16]bool{}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("Setup %d: %v", i, errs[i])
		}
		ip, port := atts[i].IP.String(), atts[i].Ports[0].HostPort
		if seenIP[ip] || seenPort[port] {
			t.Errorf("Setup %d got address %s port %d, already given to another container", i, ip, port)
		}
		seenIP[ip], seenPort[port] = true, true
	}
	st, err := load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Allocations) != n {
		t.Errorf("allocation file holds %d containers, want %d", len(st.Allocations), n)
	}

	// Kill one "container" behind pocket's back; Cleanup reclaims it.
	dead := 7
	if err := syscall.Kill(procs[dead], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := Cleanup(dir, func(o Owner) bool { return o != ids[dead] }); err != nil {
		t.Fatalf("Cleanup: %v", err)
	}
	assertGone(t, dir, ids[dead], atts[dead].Veth)
	if !linkExists(t, atts[0].Veth) || len(pocketRules(t, ids[0].ID)) == 0 {
		t.Errorf("Cleanup removed a live container's veth or rules")
	}
	// Prune keeps what live containers use.
	if err := Prune(dir); err != nil {
		t.Fatal(err)
	}
	if !linkExists(t, BridgeName) {
		t.Fatal("Prune removed the bridge while containers use it")
	}
	// The released address is reused.
	c := container(t, 0)
	again, err := Setup(dir, newID(t), c.Process.Pid, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !again.IP.Equal(atts[dead].IP) && !lowerThanAll(again.IP, atts) {
		t.Errorf("new container got %s, want the released %s", again.IP, atts[dead].IP)
	}

	if err := Cleanup(dir, func(Owner) bool { return false }); err != nil {
		t.Fatalf("Cleanup all: %v", err)
	}
	for i := range n {
		assertGone(t, dir, ids[i], atts[i].Veth)
	}
	assertGone(t, dir, again.Owner, again.Veth)
	pruned(t, dir)
}

// TestSetupOwnersOfTwoStores: containers of two stores share the bridge
// and one record of it, even with the same container ID (a copied store),
// and each store's dead containers are reclaimed without touching the
// other's.
func TestSetupOwnersOfTwoStores(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	a, b := container(t, 0), container(t, 0)
	ownA := newOwner(t, "/var/lib/pocket")
	ownB := Owner{Root: "/tmp/ci-job/root", ID: ownA.ID}
	publish := []Port{{HostIP: "127.0.0.1", ContainerPort: 80, Proto: "tcp"}}
	attA, err := Setup(dir, ownA, a.Process.Pid, publish)
	if err != nil {
		t.Fatalf("Setup A: %v", err)
	}
	attB, err := Setup(dir, ownB, b.Process.Pid, publish)
	if err != nil {
		t.Fatalf("Setup B, same ID in another store: %v", err)
	}
	if attA.IP.Equal(attB.IP) || attA.Veth == attB.Veth || attA.Ports[0].HostPort == attB.Ports[0].HostPort {
		t.Fatalf("stores share address, veth or port: A %s %s %v, B %s %s %v",
			attA.IP, attA.Veth, attA.Ports, attB.IP, attB.Veth, attB.Ports)
	}
	if got, err := Lookup(dir, ownB); err != nil || !got.IP.Equal(attB.IP) || got.Owner != ownB {
		t.Errorf("Lookup(B) = %+v, %v; want B's address %s", got, err, attB.IP)
	}
	if _, err := Lookup(dir, Owner{Root: "/elsewhere", ID: ownA.ID}); !errors.Is(err, ErrNotAttached) {
		t.Errorf("Lookup of the ID in a third store: err = %v, want ErrNotAttached", err)
	}
	serve(t, a.Process.Pid, ":80", "A")
	serve(t, b.Process.Pid, ":80", "B")
	mustDial(t, a.Process.Pid, net.JoinHostPort(attB.IP.String(), "80"), "B")
	mustDial(t, b.Process.Pid, net.JoinHostPort(attA.IP.String(), "80"), "A")
	portA := fmt.Sprintf("127.0.0.1:%d", attA.Ports[0].HostPort)
	portB := fmt.Sprintf("127.0.0.1:%d", attB.Ports[0].HostPort)
	mustDial(t, 0, portA, "A")
	mustDial(t, 0, portB, "B")

	// Tearing down the ID in a third store touches neither.
	if err := Teardown(dir, Owner{Root: "/elsewhere", ID: ownA.ID}); err != nil {
		t.Fatal(err)
	}
	// A's store lost its container (its monitor died); B's lives on.
	if err := syscall.Kill(a.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var asked []Owner
	alive := func(o Owner) bool {
		asked = append(asked, o)
		return o.Root == ownB.Root
	}
	if err := Cleanup(dir, alive); err != nil {
		t.Fatalf("Cleanup: %v", err)
	}
	if diff := cmp.Diff([]Owner{ownA, ownB}, asked, cmpopts.SortSlices(func(x, y Owner) bool { return x.Root < y.Root })); diff != "" {
		t.Errorf("Cleanup asked about (-want +got):\n%s", diff)
	}
	assertGone(t, dir, ownA, attA.Veth)
	if got, err := Lookup(dir, ownB); err != nil || !got.IP.Equal(attB.IP) {
		t.Errorf("Lookup(B) after A's cleanup = %+v, %v", got, err)
	}
	if !linkExists(t, attB.Veth) || len(pocketRules(t, ownB.ID+":"+attB.Veth)) == 0 {
		t.Errorf("cleaning up A's store removed B's veth or rules")
	}
	mustDial(t, 0, portB, "B")
	// The bridge stays while any store has a container on it.
	if err := Prune(dir); err != nil {
		t.Fatal(err)
	}
	if !linkExists(t, BridgeName) {
		t.Fatal("Prune removed the bridge while B's container uses it")
	}
	if err := Teardown(dir, ownB); err != nil {
		t.Fatal(err)
	}
	assertGone(t, dir, ownB, attB.Veth)
	pruned(t, dir)
}

func lowerThanAll(ip net.IP, atts []*Attachment) bool {
	for _, a := range atts {
		if ipToUint(a.IP.To4()) < ipToUint(ip.To4()) {
			return false
		}
	}
	return true
}

func TestSetupPortConflict(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	a, b := container(t, 0), container(t, 0)
	idA, idB := newID(t), newID(t)
	attA, err := Setup(dir, idA, a.Process.Pid, []Port{{HostPort: 18081, ContainerPort: 80, Proto: "tcp"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Setup(dir, idB, b.Process.Pid, []Port{{HostIP: "127.0.0.1", HostPort: 18081, ContainerPort: 80, Proto: "tcp"}})
	if !errors.Is(err, ErrPortAllocated) {
		t.Fatalf("Setup with a published host port: err = %v, want ErrPortAllocated", err)
	}
	assertGone(t, dir, idB, "veth"+idB.ID[:8])

	// A host process holding the port counts as well.
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	held := uint16(l.Addr().(*net.TCPAddr).Port)
	_, err = Setup(dir, idB, b.Process.Pid, []Port{{HostPort: held, ContainerPort: 80, Proto: "tcp"}})
	if !errors.Is(err, ErrPortAllocated) {
		t.Fatalf("Setup with a port a host process holds: err = %v, want ErrPortAllocated", err)
	}
	assertGone(t, dir, idB, "veth"+idB.ID[:8])

	if _, err := Setup(dir, idA, b.Process.Pid, nil); !errors.Is(err, ErrAttached) {
		t.Errorf("second Setup of one ID: err = %v, want ErrAttached", err)
	}
	if err := Teardown(dir, idA); err != nil {
		t.Fatal(err)
	}
	assertGone(t, dir, idA, attA.Veth)
	pruned(t, dir)
}

func TestRootless(t *testing.T) {
	needRoot(t) // the tools run as root here; an unprivileged run is not tested
	// pasta wants an interface with a default route to copy; nothing is
	// sent through it.
	la := netlink.NewLinkAttrs()
	la.Name = "ext0"
	// A veth pair, as the dummy module may be missing.
	if err := netlink.LinkAdd(&netlink.Veth{LinkAttrs: la, PeerName: "ext1"}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if l, err := netlink.LinkByName("ext0"); err == nil {
			netlink.LinkDel(l)
		}
	}()
	ext, err := netlink.LinkByName("ext0")
	if err != nil {
		t.Fatal(err)
	}
	extAddr, _ := netlink.ParseAddr("198.51.100.1/24")
	if err := netlink.AddrAdd(ext, extAddr); err != nil {
		t.Fatal(err)
	}
	if err := netlink.LinkSetUp(ext); err != nil {
		t.Fatal(err)
	}
	if err := netlink.RouteAdd(&netlink.Route{LinkIndex: ext.Attrs().Index, Gw: net.ParseIP("198.51.100.254")}); err != nil {
		t.Fatal(err)
	}
	for _, tool := range []string{"pasta", "slirp4netns"} {
		t.Run(tool, func(t *testing.T) {
			old := rootlessTools
			rootlessTools = []string{tool}
			defer func() { rootlessTools = old }()

			c := container(t, syscall.CLONE_NEWUSER)
			serve(t, c.Process.Pid, ":80", tool)
			ports := []Port{{HostIP: "127.0.0.1", ContainerPort: 80, Proto: "tcp"}}
			stop, err := StartRootless(c.Process.Pid, ports)
			if err != nil {
				t.Fatalf("StartRootless: %v", err)
			}
			if ports[0].HostPort == 0 {
				t.Fatal("StartRootless did not pick a host port")
			}
			mustDial(t, 0, fmt.Sprintf("127.0.0.1:%d", ports[0].HostPort), tool)
			if err := stop(); err != nil {
				t.Fatalf("stop: %v", err)
			}
			if got, err := dial(t, 0, fmt.Sprintf("127.0.0.1:%d", ports[0].HostPort)); err == nil {
				t.Errorf("port still forwarded after stop: %q", got)
			}
		})
	}
	t.Run("none", func(t *testing.T) {
		old := rootlessTools
		rootlessTools = []string{"pocket-no-such-tool"}
		defer func() { rootlessTools = old }()
		if _, err := StartRootless(1, nil); !errors.Is(err, ErrNoRootlessTool) {
			t.Errorf("StartRootless without tools: err = %v, want ErrNoRootlessTool", err)
		}
	})
}
