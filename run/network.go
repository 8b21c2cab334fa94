package run

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"pocket/network"
	"pocket/plan"
	"pocket/privilege"
	"pocket/store"
)

// Network modes (plan's).
const (
	netBridge = plan.NetBridge
	netNone   = plan.NetNone
	netHost   = plan.NetHost
)

// netSpec is what a container asks of the network (config.json).
type netSpec struct {
	Ports      []network.Port `json:"ports,omitempty"` // -p and -P, host ports 0 until started
	DNS        []string       `json:"dns,omitempty"`
	DNSSearch  []string       `json:"dnsSearch,omitempty"`
	DNSOptions []string       `json:"dnsOptions,omitempty"`
	AddHost    []string       `json:"addHost,omitempty"`  // HOST:IP as given
	Rootless   bool           `json:"rootless,omitempty"` // bridge-like via pasta or slirp4netns
}

// netState is what a running container got (state.json).
type netState struct {
	IP      string         `json:"ip,omitempty"`
	Gateway string         `json:"gateway,omitempty"`
	Prefix  int            `json:"prefix,omitempty"`
	Ports   []network.Port `json:"ports,omitempty"`
}

// owner is how the host-wide network allocations name container id of s.
func owner(s *store.Store, id string) network.Owner {
	return network.Owner{Root: s.Root(), ID: id}
}

// bridgeState is the directory of the bridge's allocations if rootful
// pocket has used the bridge since boot: it is host-wide, as the bridge is,
// and shared by every store. Rootless pocket never uses it.
func bridgeState() (string, bool) {
	if privilege.Rootless() {
		return "", false
	}
	dir := network.StateDir()
	_, err := os.Stat(dir)
	return dir, err == nil
}

// newNetSpec is the container's network request.
func newNetSpec(p *plan.Plan, cfg v1.Config) (netSpec, error) {
	o := &p.Flags
	ns := netSpec{DNS: o.DNS, DNSSearch: o.DNSSearch, DNSOptions: o.DNSOptions, AddHost: o.AddHost,
		Rootless: p.Network.Rootless}
	ports, err := p.Ports(cfg)
	if err != nil {
		return ns, err
	}
	ns.Ports = ports
	return ns, nil
}

// initNetwork is ns.Config's network: init brings lo up in a network
// namespace of its own ("none"), bridge's included.
func initNetwork(mode string) string {
	if mode == netHost {
		return netHost
	}
	return netNone
}

// netConn connects one run of a container to the network and back.
type netConn struct {
	s     *store.Store
	c     *container
	state *netState
	stop  func() error // rootless tool
	setUp bool         // the bridge attachment exists
}

// connect runs once the container's init exists (so its network namespace
// does) and before the init is configured: the container has eth0, and
// /etc/hosts and /etc/resolv.conf say what it got, before its command runs.
func (n *netConn) connect(pid int) error {
	sp := &n.c.spec
	id := sp.ID
	var gw string
	switch {
	case sp.Network != netBridge:
	case sp.Net.Rootless:
		ports := append([]network.Port{}, sp.Net.Ports...)
		stop, err := network.StartRootless(pid, ports)
		if err != nil {
			return fmt.Errorf("network of container %s: %w", id[:12], err)
		}
		n.stop = stop
		n.state = &netState{Ports: ports}
	default:
		att, err := network.Setup(network.StateDir(), owner(n.s, id), pid, sp.Net.Ports)
		if err != nil {
			hint := ""
			if errors.Is(err, network.ErrPortAllocated) {
				hint = " (hint: publish another host port, or leave it out for a free one)"
			}
			return fmt.Errorf("network of container %s: %w%s", id[:12], err, hint)
		}
		n.setUp = true
		n.state = &netState{IP: att.IP.String(), Gateway: att.Gateway.String(), Prefix: att.Prefix, Ports: att.Ports}
		gw = n.state.Gateway
	}
	if sp.Network == netBridge || len(sp.Net.AddHost) > 0 {
		if err := n.writeHosts(gw); err != nil {
			return err
		}
	}
	if len(sp.Net.DNS)+len(sp.Net.DNSSearch)+len(sp.Net.DNSOptions) > 0 {
		p := filepath.Join(n.c.dir, "resolv.conf")
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(p, applyDNS(b, sp.Net), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// writeHosts rewrites the container's /etc/hosts as Docker does: the
// defaults (the host's with host networking), --add-host entries, then the
// container's own address and name.
func (n *netConn) writeHosts(gw string) error {
	sp := &n.c.spec
	var b strings.Builder
	if sp.Network == netHost {
		host, _ := os.ReadFile("/etc/hosts")
		b.Write(hostsFile(netHost, host))
	} else {
		b.WriteString(defaultHosts)
	}
	for _, h := range sp.Net.AddHost {
		name, ip, err := plan.SplitHost(h)
		if err != nil {
			return err
		}
		if ip == plan.HostGateway {
			ip = gw
		}
		fmt.Fprintf(&b, "%s\t%s\n", ip, name)
	}
	if n.state != nil && n.state.IP != "" {
		fmt.Fprintf(&b, "%s\t%s\n", n.state.IP, sp.Hostname)
	}
	return os.WriteFile(filepath.Join(n.c.dir, "hosts"), []byte(b.String()), 0o644)
}

// release is disconnect once the container's processes have all exited:
// the kernel removes its veth with its network namespace.
func (n *netConn) release() error {
	if n.setUp {
		n.setUp = false
		return errors.Join(n.disconnect(), network.Release(network.StateDir(), owner(n.s, n.c.spec.ID)))
	}
	return n.disconnect()
}

// disconnect undoes connect; it may be called more than once.
func (n *netConn) disconnect() error {
	var errs []error
	if n.stop != nil {
		errs = append(errs, n.stop())
		n.stop = nil
	}
	if n.setUp {
		errs = append(errs, network.Teardown(network.StateDir(), owner(n.s, n.c.spec.ID)))
		n.setUp = false
	}
	return errors.Join(errs...)
}

// applyDNS rewrites a resolv.conf for --dns, --dns-search and
// --dns-option as Docker's daemon does (libnetwork's resolvconf.Build): a
// new file of three lines, search, nameserver(s), options, each taken from
// the flags or else from conf; every other line of conf is dropped.
func applyDNS(conf []byte, d netSpec) []byte {
	servers, search, options := d.DNS, d.DNSSearch, d.DNSOptions
	for _, line := range strings.Split(string(conf), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "nameserver":
			if len(d.DNS) == 0 {
				servers = append(servers, f[1])
			}
		case "search":
			if len(d.DNSSearch) == 0 {
				search = f[1:] // the last search line wins, as in resolv.conf(5)
			}
		case "options":
			if len(d.DNSOptions) == 0 {
				options = append(options, f[1:]...)
			}
		}
	}
	var b strings.Builder
	// "." clears the search list (Docker).
	if s := strings.Join(search, " "); len(search) > 0 && strings.Trim(s, " ") != "." {
		b.WriteString("search " + s + "\n")
	}
	for _, s := range servers {
		b.WriteString("nameserver " + s + "\n")
	}
	if len(options) > 0 {
		b.WriteString("options " + strings.Join(options, " ") + "\n")
	}
	return []byte(b.String())
}

// reap tears down the network of containers whose monitor died (SIGKILL,
// crash): their veth, port rules and address, in every store, since all
// share the bridge. Best effort: what fails now is retried by the next
// command that lists, creates or removes, in any store.
func reap() {
	if dir, ok := bridgeState(); ok {
		network.Cleanup(dir, ownerAlive)
	}
}

// ownerAlive is monitorAlive for a container of any store, known by its
// root alone: the store is not opened (nothing is created in it), and a
// root that is gone holds no live container. When the lock cannot be
// checked the container counts as alive, so that its network is never
// pulled from under it.
func ownerAlive(o network.Owner) bool {
	held, err := store.LockHeld(o.Root, monitorLock(o.ID))
	return held || err != nil
}
