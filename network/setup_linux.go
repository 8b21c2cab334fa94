package network

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"

	"github.com/coreos/go-iptables/iptables"
)

// Attachment is a container's place on the bridge.
type Attachment struct {
	Owner   Owner
	Bridge  string // BridgeName
	Veth    string // host end of the veth pair
	IP      net.IP // the container's eth0 address
	Gateway net.IP // the bridge's address, the container's default route
	Prefix  int    // subnet prefix length
	Ports   []Port // published ports, free host ports filled in
}

// Setup gives the container whose process is pid an address on the bridge
// and publishes ports. It needs root. The bridge, pocket's iptables chains
// and net.ipv4.ip_forward=1 (left on, as Docker does) are set up on first
// use. dir holds the allocations and is shared by every pocket process of
// the host, whatever its store (StateDir); o is the container, whose store
// root must be absolute. On error nothing is left behind.
func Setup(dir string, o Owner, pid int, ports []Port) (*Attachment, error) {
	if o.ID == "" || !filepath.IsAbs(o.Root) {
		return nil, fmt.Errorf("set up network of %s: owner needs an ID and an absolute store root", o)
	}
	var att *Attachment
	err := locked(dir, true, func(st *state) (err error) {
		if st.find(o) != nil {
			return fmt.Errorf("set up network of %s: %w", o, ErrAttached)
		}
		br, made, subnet, gw, err := ensureBridge(st)
		if err != nil {
			return err
		}
		// iptables costs an exec per rule, so the shared chains are made
		// once per bridge: when the bridge is new (first use, after a
		// reboot or a prune) or its subnet changed. Rules someone flushed
		// behind pocket's back come back with the next new bridge
		// (`pocket network prune` when no container runs).
		var ipt *iptables.IPTables
		if made || st.Rules != subnet.String() {
			if ipt, err = newIPTables(); err != nil {
				return err
			}
			// Drop whatever an earlier subnet left so the shared
			// rules match this one.
			if err := removeChains(ipt); err != nil {
				return err
			}
			if err := ensureChains(ipt, subnet); err != nil {
				return err
			}
			st.Rules = subnet.String()
		}
		ip, err := st.allocateIP(subnet)
		if err != nil {
			return err
		}
		resolved, err := resolvePorts(st, ports)
		if err != nil {
			return err
		}
		prefix, _ := subnet.Mask.Size()
		a := &allocation{Owner: o, IP: ip.String(), Veth: vethName(st, o.ID), Ports: resolved}
		st.Allocations = append(st.Allocations, a)
		defer func() {
			if err != nil {
				// Undo what was made and release the allocation.
				detach(a.Veth)
				if ipt != nil {
					removeRules(ipt, a.tag())
				}
				st.remove(a)
			}
		}()
		if err := attach(br, a.Veth, pid, ip, gw, prefix); err != nil {
			return err
		}
		if len(resolved) > 0 {
			if ipt == nil {
				if ipt, err = newIPTables(); err != nil {
					return err
				}
			}
			if err := addPortRules(ipt, a.tag(), ip, resolved); err != nil {
				return err
			}
		}
		att = &Attachment{Owner: o, Bridge: BridgeName, Veth: a.Veth, IP: ip, Gateway: gw, Prefix: prefix, Ports: resolved}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return att, nil
}

// resolvePorts checks that no host port is taken and picks free ones for
// HostPort 0.
func resolvePorts(st *state, ports []Port) ([]Port, error) {
	taken := func(p Port, extra []Port) bool {
		clash := func(q Port) bool {
			return q.Proto == p.Proto && q.HostPort == p.HostPort &&
				(q.HostIP == "" || p.HostIP == "" || q.HostIP == p.HostIP)
		}
		for _, a := range st.Allocations {
			for _, q := range a.Ports {
				if clash(q) {
					return true
				}
			}
		}
		for _, q := range extra {
			if clash(q) {
				return true
			}
		}
		return false
	}
	var out []Port
	for _, p := range ports {
		if p.Proto == "" {
			p.Proto = "tcp"
		}
		if p.HostPort != 0 {
			if taken(p, out) {
				return nil, fmt.Errorf("bind for %s:%d: %w", hostIP(p), p.HostPort, ErrPortAllocated)
			}
			// Nothing listens on a DNATed port, so ask the kernel
			// whether a host process holds it: DNAT would steal its
			// traffic.
			if err := probe(p); err != nil {
				return nil, fmt.Errorf("bind for %s:%d: %w (%v)", hostIP(p), p.HostPort, ErrPortAllocated, err)
			}
			out = append(out, p)
			continue
		}
		found := false
		for try := 0; try < 100 && !found; try++ {
			q := p
			port, err := freePort(q)
			if err != nil {
				return nil, fmt.Errorf("find free host port for %d/%s: %w", p.ContainerPort, p.Proto, err)
			}
			q.HostPort = port
			if !taken(q, out) {
				out = append(out, q)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("find free host port for %d/%s: %w", p.ContainerPort, p.Proto, ErrPortAllocated)
		}
	}
	return out, nil
}

func hostIP(p Port) string {
	if p.HostIP == "" {
		return "0.0.0.0"
	}
	return p.HostIP
}

// probe binds p's host address and port for a moment.
func probe(p Port) error {
	addr := net.JoinHostPort(p.HostIP, strconv.Itoa(int(p.HostPort)))
	if p.Proto == "udp" {
		c, err := net.ListenPacket("udp4", addr)
		if err != nil {
			return err
		}
		return c.Close()
	}
	l, err := net.Listen("tcp4", addr)
	if err != nil {
		return err
	}
	return l.Close()
}

// freePort asks the kernel for a free ephemeral port on p's host address.
func freePort(p Port) (uint16, error) {
	addr := net.JoinHostPort(p.HostIP, "0")
	if p.Proto == "udp" {
		c, err := net.ListenPacket("udp4", addr)
		if err != nil {
			return 0, err
		}
		defer c.Close()
		return uint16(c.LocalAddr().(*net.UDPAddr).Port), nil
	}
	l, err := net.Listen("tcp4", addr)
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return uint16(l.Addr().(*net.TCPAddr).Port), nil
}

// Lookup returns the attachment Setup made for o.
func Lookup(dir string, o Owner) (*Attachment, error) {
	var att *Attachment
	err := locked(dir, false, func(st *state) error {
		a := st.find(o)
		if a == nil {
			return fmt.Errorf("look up network of %s: %w", o, ErrNotAttached)
		}
		_, subnet, err := net.ParseCIDR(st.Subnet)
		if err != nil {
			return fmt.Errorf("recorded subnet %q: %w", st.Subnet, err)
		}
		prefix, _ := subnet.Mask.Size()
		att = &Attachment{
			Owner: o, Bridge: BridgeName, Veth: a.Veth, IP: net.ParseIP(a.IP).To4(),
			Gateway: uintToIP(ipToUint(subnet.IP.To4()) + 1), Prefix: prefix, Ports: a.Ports,
		}
		return nil
	})
	return att, err
}

// Teardown removes the container's veth, its port rules and its address.
// It is idempotent: tearing down an unknown container does nothing.
func Teardown(dir string, o Owner) error {
	return locked(dir, true, func(st *state) error {
		return teardown(st, st.find(o), true)
	})
}

// Release is Teardown for a container whose processes have all exited:
// its network namespace, and with it both ends of the veth, is going away
// in the kernel, so the veth is left to that. Deleting it here would wait
// for the kernel's network synchronisation (~20 ms), the whole cost of the
// bridge on a container's exit.
func Release(dir string, o Owner) error {
	return locked(dir, true, func(st *state) error {
		return teardown(st, st.find(o), false)
	})
}

// teardown undoes allocation a (nil: nothing to do) and drops it.
func teardown(st *state, a *allocation, veth bool) error {
	if a == nil {
		return nil
	}
	// Only published ports have rules of their own.
	var rerr error
	if len(a.Ports) > 0 {
		ipt, err := newIPTables()
		if err != nil {
			return err
		}
		rerr = removeRules(ipt, a.tag())
	}
	var derr error
	if veth {
		derr = detach(a.Veth)
	}
	if err := errors.Join(derr, rerr); err != nil {
		return fmt.Errorf("tear down network of %s: %w", a.Owner, err)
	}
	st.remove(a)
	return nil
}

// Cleanup tears down every attachment whose owner alive reports dead,
// reclaiming what crashed or killed pocket processes left. It looks at
// every store's containers, so alive must answer for any store root (a
// root that no longer exists holds no live container). alive is called
// with dir's lock held and must not wait for a container's monitor.
func Cleanup(dir string, alive func(o Owner) bool) error {
	return locked(dir, true, func(st *state) error {
		var errs []error
		for _, a := range append([]*allocation(nil), st.Allocations...) {
			if !alive(a.Owner) {
				errs = append(errs, teardown(st, a, true))
			}
		}
		return errors.Join(errs...)
	})
}

// Prune removes the bridge and pocket's iptables chains when no container
// of any store is attached; otherwise it does nothing. ip_forward is left
// as it is.
func Prune(dir string) error {
	return locked(dir, true, func(st *state) error {
		if len(st.Allocations) > 0 {
			return nil
		}
		ipt, err := newIPTables()
		if err != nil {
			return err
		}
		if err := removeChains(ipt); err != nil {
			return err
		}
		if err := removeBridge(); err != nil {
			return err
		}
		st.Subnet, st.Rules = "", ""
		return nil
	})
}
