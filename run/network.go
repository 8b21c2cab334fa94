package run

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/sys/userns"
	"golang.org/x/sys/unix"

	"pocket/network"
	"pocket/store"
)

// Network modes.
const (
	netBridge = "bridge"
	netNone   = "none"
	netHost   = "host"
)

// hostGateway is Docker's --add-host value for the bridge's gateway.
const hostGateway = "host-gateway"

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
	if rootless() {
		return "", false
	}
	dir := network.StateDir()
	_, err := os.Stat(dir)
	return dir, err == nil
}

// rootless reports whether pocket runs without real root: a non-zero
// effective uid, or uid 0 in a user namespace (rootless pocket, see
// ns.EnterUserNS), where bridges and iptables are out of reach.
func rootless() bool {
	return os.Geteuid() != 0 || userns.RunningInUserNS()
}

// errNoTun is why rootless bridge networking cannot work although a tool
// is installed: both need a tap device.
var errNoTun = errors.New("rootless networking needs /dev/net/tun, which this user may not open (hint: give it its usual mode, chmod 0666 /dev/net/tun)")

// rootlessNetwork reports why user-mode networking cannot work for
// rootless pocket: neither pasta nor slirp4netns installed, or no access
// to /dev/net/tun; nil means it can.
func rootlessNetwork() error {
	for _, t := range []string{"pasta", "slirp4netns"} {
		if _, err := exec.LookPath(t); err == nil {
			if unix.Access("/dev/net/tun", unix.R_OK|unix.W_OK) != nil {
				return errNoTun
			}
			return nil
		}
	}
	return network.ErrNoRootlessTool
}

// validateNetwork resolves --network (bridge by default; rootless, none
// unless a user-mode tool is installed) and checks the options that go
// with it.
func validateNetwork(o *Options) error {
	switch o.Network {
	case "":
		o.Network = netBridge
		if rootless() && rootlessNetwork() != nil {
			o.Network = netNone
		}
	case "default":
		o.Network = netBridge
	case netBridge, netNone, netHost:
	default:
		return &networkError{o.Network}
	}
	if o.Network == netBridge && rootless() {
		if err := rootlessNetwork(); err != nil {
			return fmt.Errorf("network bridge: %w", err)
		}
	}
	if o.Network != netBridge && (len(o.Publish) > 0 || o.PublishAll) {
		return fmt.Errorf("%w: conflicting options: port publishing and the container type network mode (hint: use --network bridge or drop -p/-P)", ErrBadOption)
	}
	if _, err := parsePublish(o.Publish); err != nil {
		return err
	}
	for _, d := range o.DNS {
		if net.ParseIP(d) == nil {
			return fmt.Errorf("%w: --dns %q is not an IP address (hint: --dns 1.1.1.1)", ErrBadOption, d)
		}
	}
	for _, h := range o.AddHost {
		if _, _, err := splitHost(h); err != nil {
			return err
		}
		if _, ip, _ := splitHost(h); ip == hostGateway && (o.Network != netBridge || rootless()) {
			return fmt.Errorf("%w: --add-host %q: host-gateway needs the bridge network as root (hint: give the address)", ErrBadOption, h)
		}
	}
	return nil
}

func parsePublish(specs []string) ([]network.Port, error) {
	ps, err := network.ParsePorts(specs)
	if err != nil {
		return nil, fmt.Errorf("%w: %w (hint: -p [HOSTIP:][HOSTPORT:]CONTAINERPORT[/tcp|udp], e.g. -p 8080:80)", ErrBadOption, err)
	}
	return ps, nil
}

// splitHost splits --add-host HOST:IP (or Docker's newer HOST=IP); the
// host may not hold a colon, the address may (IPv6).
func splitHost(s string) (host, ip string, err error) {
	i := strings.IndexAny(s, ":=")
	if i > 0 {
		host, ip = s[:i], strings.Trim(s[i+1:], "[]")
	}
	if host == "" || (ip != hostGateway && net.ParseIP(ip) == nil) {
		return "", "", fmt.Errorf("%w: --add-host %q (hint: HOST:IP, e.g. db:10.0.0.5 or gw:host-gateway)", ErrBadOption, s)
	}
	return host, ip, nil
}

// newNetSpec is the container's network request: -p, then -P for the
// image's exposed ports not already published.
func newNetSpec(o *Options, cfg v1.Config) (netSpec, error) {
	ns := netSpec{DNS: o.DNS, DNSSearch: o.DNSSearch, DNSOptions: o.DNSOptions, AddHost: o.AddHost,
		Rootless: o.Network == netBridge && rootless()}
	ports, err := parsePublish(o.Publish)
	if err != nil {
		return ns, err
	}
	if o.PublishAll {
		all, err := network.PublishAll(cfg.ExposedPorts, ports)
		if err != nil {
			return ns, fmt.Errorf("-P: %w", err)
		}
		ports = append(ports, all...)
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
		name, ip, err := splitHost(h)
		if err != nil {
			return err
		}
		if ip == hostGateway {
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

// applyDNS replaces the name servers, search domains and options of a
// resolv.conf with those given, keeping the rest (Docker's rule).
func applyDNS(conf []byte, d netSpec) []byte {
	drop := map[string]bool{"nameserver": len(d.DNS) > 0, "search": len(d.DNSSearch) > 0, "domain": len(d.DNSSearch) > 0, "options": len(d.DNSOptions) > 0}
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimRight(string(conf), "\n"), "\n") {
		if f := strings.Fields(line); len(f) > 0 && drop[f[0]] || line == "" {
			continue
		}
		b.WriteString(line + "\n")
	}
	for _, s := range d.DNS {
		b.WriteString("nameserver " + s + "\n")
	}
	// "." clears the search list (Docker).
	if search := strings.Join(d.DNSSearch, " "); len(d.DNSSearch) > 0 && search != "." {
		b.WriteString("search " + search + "\n")
	}
	if len(d.DNSOptions) > 0 {
		b.WriteString("options " + strings.Join(d.DNSOptions, " ") + "\n")
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

// PruneNetworks is `pocket network prune`: it reclaims what dead
// containers of any store hold, then removes the bridge and pocket's
// iptables chains if no container of any store uses them. It returns the
// removed network's name.
func PruneNetworks(s *store.Store) ([]string, error) {
	dir := network.StateDir()
	if rootless() {
		return nil, nil
	}
	reap()
	_, before := net.InterfaceByName(network.BridgeName)
	if err := network.Prune(dir); err != nil {
		return nil, fmt.Errorf("prune networks: %w", err)
	}
	if _, after := net.InterfaceByName(network.BridgeName); before == nil && after != nil {
		return []string{network.BridgeName}, nil
	}
	return nil, nil
}

// Ports is `pocket port`: one line per published port of a running
// container, "80/tcp -> 0.0.0.0:8080", or with private ("80" or "80/udp")
// just that port's host addresses.
func Ports(s *store.Store, id, private string) ([]string, error) {
	c, err := load(s, id)
	if err != nil {
		return nil, err
	}
	var ports []network.Port
	if c.state.Status == statusRunning && c.state.Net != nil {
		ports = c.state.Net.Ports
	}
	var want *network.Port
	if private != "" {
		ps, err := network.ParsePorts([]string{private})
		if err != nil || len(ps) != 1 || strings.Contains(private, ":") {
			return nil, fmt.Errorf("%w: port %q (hint: PRIVATE_PORT[/PROTO], e.g. 80/tcp)", ErrBadOption, private)
		}
		want = &ps[0]
	}
	var out []string
	for _, p := range ports {
		host := net.JoinHostPort(hostIP(p), fmt.Sprint(p.HostPort))
		switch {
		case want == nil:
			out = append(out, fmt.Sprintf("%d/%s -> %s", p.ContainerPort, p.Proto, host))
		case want.ContainerPort == p.ContainerPort && want.Proto == p.Proto:
			out = append(out, host)
		}
	}
	if want != nil && len(out) == 0 {
		return nil, fmt.Errorf("no public port '%d/%s' published for %s", want.ContainerPort, want.Proto, id)
	}
	return out, nil
}

func hostIP(p network.Port) string {
	if p.HostIP == "" {
		return "0.0.0.0"
	}
	return p.HostIP
}

// portsText is ps's PORTS column.
func portsText(st State) string {
	if st.Status != statusRunning || st.Net == nil {
		return ""
	}
	var s []string
	for _, p := range st.Net.Ports {
		s = append(s, p.String())
	}
	return strings.Join(s, ", ")
}

// NetworkSettings is inspect's NetworkSettings.
type NetworkSettings struct {
	IPAddress   string                    `json:"IPAddress"`
	Gateway     string                    `json:"Gateway"`
	IPPrefixLen int                       `json:"IPPrefixLen"`
	Ports       map[string][]PortBinding  `json:"Ports"`
	Networks    map[string]EndpointConfig `json:"Networks"`
}

// PortBinding is one host side of a published port.
type PortBinding struct {
	HostIP   string `json:"HostIp"`
	HostPort string `json:"HostPort"`
}

// EndpointConfig is a container's place on one network.
type EndpointConfig struct {
	IPAddress   string `json:"IPAddress"`
	Gateway     string `json:"Gateway"`
	IPPrefixLen int    `json:"IPPrefixLen"`
}

func networkSettings(c *container) *NetworkSettings {
	ns := &NetworkSettings{Ports: map[string][]PortBinding{}, Networks: map[string]EndpointConfig{}}
	var ep EndpointConfig
	if st := c.state.Net; c.state.Status == statusRunning && st != nil {
		ep = EndpointConfig{IPAddress: st.IP, Gateway: st.Gateway, IPPrefixLen: st.Prefix}
		for _, p := range st.Ports {
			k := fmt.Sprintf("%d/%s", p.ContainerPort, p.Proto)
			ns.Ports[k] = append(ns.Ports[k], PortBinding{HostIP: hostIP(p), HostPort: fmt.Sprint(p.HostPort)})
		}
	}
	ns.IPAddress, ns.Gateway, ns.IPPrefixLen = ep.IPAddress, ep.Gateway, ep.IPPrefixLen
	ns.Networks[c.spec.Network] = ep
	return ns
}
