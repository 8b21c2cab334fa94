package plan

import (
	"fmt"
	"net"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"pocket/network"
)

// Network modes.
const (
	// NetContainer prefixes the mode that joins another container's
	// network namespace (see Namespaces.JoinNet).
	NetContainer = "container:"
	NetBridge    = "bridge"
	NetNone      = "none"
	NetHost      = "host"
)

// HostGateway is Docker's --add-host value for the bridge's gateway.
const HostGateway = "host-gateway"

// Network is what --network, -p and -P ask for.
type Network struct {
	Mode     string         // bridge, none, host or container:NAME
	Rootless bool           // bridge-like via pasta or slirp4netns
	Ports    []network.Port // -p; -P's come with the image (see Ports)
}

// parseNetwork resolves --network (bridge by default; rootless, none
// unless a user-mode tool works) and checks the options that go with it.
func parseNetwork(o *Options, h Host) (Network, error) {
	n := Network{Mode: o.Network}
	switch o.Network {
	case "":
		n.Mode = NetBridge
		if h.Rootless && h.UserNet != nil {
			n.Mode = NetNone
		}
	case "default":
		n.Mode = NetBridge
	case NetBridge, NetNone, NetHost:
	default:
		name, ok := strings.CutPrefix(o.Network, "container:")
		if !ok || name == "" {
			return n, &networkError{o.Network}
		}
		// Docker's conflicts (runconfig's errors), in its order: the
		// joined container's network has its own name, resolvers and
		// hosts, which the joining one shares.
		switch {
		case o.Hostname != "":
			return n, fmt.Errorf("%w: conflicting options: hostname and the network mode", ErrBadOption)
		case len(o.DNS) > 0 || len(o.DNSSearch) > 0 || len(o.DNSOptions) > 0:
			return n, fmt.Errorf("%w: conflicting options: dns and the network mode", ErrBadOption)
		case len(o.AddHost) > 0:
			return n, fmt.Errorf("%w: conflicting options: custom host-to-IP mapping and the network mode", ErrBadOption)
		}
	}
	if n.Mode == NetBridge && h.Rootless {
		if h.UserNet != nil {
			return n, fmt.Errorf("network bridge: %w", h.UserNet)
		}
		n.Rootless = true
	}
	if n.Mode != NetBridge && (len(o.Publish) > 0 || o.PublishAll) {
		return n, fmt.Errorf("%w: conflicting options: port publishing and the container type network mode (hint: use --network bridge or drop -p/-P)", ErrBadOption)
	}
	var err error
	if n.Ports, err = parsePublish(o.Publish); err != nil {
		return n, err
	}
	for _, d := range o.DNS {
		if net.ParseIP(d) == nil {
			return n, fmt.Errorf("%w: --dns %q is not an IP address (hint: --dns 1.1.1.1)", ErrBadOption, d)
		}
	}
	for _, a := range o.AddHost {
		_, ip, err := SplitHost(a)
		if err != nil {
			return n, err
		}
		if ip == HostGateway && (n.Mode != NetBridge || h.Rootless) {
			return n, fmt.Errorf("%w: --add-host %q: host-gateway needs the bridge network as root (hint: give the address)", ErrBadOption, a)
		}
	}
	return n, nil
}

func parsePublish(specs []string) ([]network.Port, error) {
	ps, err := network.ParsePorts(specs)
	if err != nil {
		return nil, fmt.Errorf("%w: %w (hint: -p [HOSTIP:][HOSTPORT:]CONTAINERPORT[/tcp|udp], e.g. -p 8080:80)", ErrBadOption, err)
	}
	return ps, nil
}

// SplitHost splits --add-host HOST:IP (or Docker's newer HOST=IP); the
// host may not hold a colon, the address may (IPv6).
func SplitHost(s string) (host, ip string, err error) {
	i := strings.IndexAny(s, ":=")
	if i > 0 {
		host, ip = s[:i], strings.Trim(s[i+1:], "[]")
	}
	if host == "" || (ip != HostGateway && net.ParseIP(ip) == nil) {
		return "", "", fmt.Errorf("%w: --add-host %q (hint: HOST:IP, e.g. db:10.0.0.5 or gw:host-gateway)", ErrBadOption, s)
	}
	return host, ip, nil
}

// Ports is the container's published ports: -p, then -P for the image's
// exposed ports not already published.
func (p *Plan) Ports(cfg v1.Config) ([]network.Port, error) {
	ports := slices.Clone(p.Network.Ports)
	if p.Flags.PublishAll {
		all, err := network.PublishAll(cfg.ExposedPorts, ports)
		if err != nil {
			return nil, fmt.Errorf("-P: %w", err)
		}
		ports = append(ports, all...)
	}
	return ports, nil
}
