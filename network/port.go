package network

import (
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
)

// Port is one published port: traffic to HostIP:HostPort on the host goes
// to ContainerPort in the container. An empty HostIP means every host
// address; HostPort 0 means "pick a free one" (Setup fills it in).
type Port struct {
	HostIP        string `json:"hostIP,omitempty"`
	HostPort      uint16 `json:"hostPort"`
	ContainerPort uint16 `json:"containerPort"`
	Proto         string `json:"proto"` // "tcp" or "udp"
}

// String formats p the way `docker ps` does: "0.0.0.0:8080->80/tcp".
func (p Port) String() string {
	ip := p.HostIP
	if ip == "" {
		ip = "0.0.0.0"
	}
	return fmt.Sprintf("%s:%d->%d/%s", ip, p.HostPort, p.ContainerPort, p.Proto)
}

// ParsePorts parses `-p` specs in Docker's grammar:
//
//	[HOSTIP:]HOSTPORT:CONTAINERPORT[/PROTO]
//	HOSTIP::CONTAINERPORT[/PROTO]   (a free host port on HOSTIP)
//	CONTAINERPORT[/PROTO]           (a free host port)
//
// PROTO is tcp (the default) or udp. Ports may be ranges ("8000-8001:80-81")
// of equal length; a container range without host ports gets a free host
// port for each. Only IPv4 host addresses are supported.
func ParsePorts(specs []string) ([]Port, error) {
	var out []Port
	for _, spec := range specs {
		ps, err := parsePort(spec)
		if err != nil {
			return nil, fmt.Errorf("invalid port spec %q: %w", spec, err)
		}
		out = append(out, ps...)
	}
	return out, nil
}

func parsePort(spec string) ([]Port, error) {
	rest, proto := spec, "tcp"
	if i := strings.LastIndexByte(rest, '/'); i >= 0 {
		rest, proto = rest[:i], strings.ToLower(rest[i+1:])
	}
	if proto != "tcp" && proto != "udp" {
		return nil, fmt.Errorf("protocol %q is not tcp or udp", proto)
	}

	var hostIP, hostPart, ctrPart string
	if strings.HasPrefix(rest, "[") {
		return nil, fmt.Errorf("IPv6 host addresses are not supported")
	}
	fields := strings.Split(rest, ":")
	switch len(fields) {
	case 1:
		ctrPart = fields[0]
	case 2:
		hostPart, ctrPart = fields[0], fields[1]
	case 3:
		hostIP, hostPart, ctrPart = fields[0], fields[1], fields[2]
	default:
		return nil, fmt.Errorf("too many colons")
	}
	if hostIP != "" {
		ip := net.ParseIP(hostIP)
		if ip == nil {
			return nil, fmt.Errorf("host address %q is not an IP address", hostIP)
		}
		if ip.To4() == nil {
			return nil, fmt.Errorf("IPv6 host addresses are not supported")
		}
		hostIP = ip.To4().String()
		if hostIP == "0.0.0.0" {
			hostIP = ""
		}
	}
	if ctrPart == "" {
		return nil, fmt.Errorf("no container port")
	}
	cLo, cHi, err := parseRange(ctrPart)
	if err != nil {
		return nil, fmt.Errorf("container port: %w", err)
	}
	hLo, hHi := uint16(0), uint16(0)
	if hostPart != "" {
		if hLo, hHi, err = parseRange(hostPart); err != nil {
			return nil, fmt.Errorf("host port: %w", err)
		}
		if hHi-hLo != cHi-cLo {
			return nil, fmt.Errorf("host range %s and container range %s differ in size", hostPart, ctrPart)
		}
	}
	var out []Port
	for i := 0; i <= int(cHi-cLo); i++ {
		p := Port{HostIP: hostIP, ContainerPort: cLo + uint16(i), Proto: proto}
		if hostPart != "" {
			p.HostPort = hLo + uint16(i)
		}
		out = append(out, p)
	}
	return out, nil
}

// parseRange parses "80" or "8000-8010".
func parseRange(s string) (lo, hi uint16, err error) {
	a, b, isRange := strings.Cut(s, "-")
	if lo, err = parseNum(a); err != nil {
		return 0, 0, err
	}
	if !isRange {
		return lo, lo, nil
	}
	if hi, err = parseNum(b); err != nil {
		return 0, 0, err
	}
	if hi < lo {
		return 0, 0, fmt.Errorf("range %s ends before it starts", s)
	}
	return lo, hi, nil
}

func parseNum(s string) (uint16, error) {
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("%q is not a port number (1-65535)", s)
	}
	return uint16(n), nil
}

// PublishAll is `-P`: it publishes every port the image exposes
// (config.ExposedPorts keys such as "80/tcp", "53/udp" or "8080") on a free
// host port, sorted by port. Ports already in explicit (from -p) are left
// to them, as Docker does.
func PublishAll(exposed map[string]struct{}, explicit []Port) ([]Port, error) {
	taken := map[Port]bool{}
	for _, p := range explicit {
		taken[Port{ContainerPort: p.ContainerPort, Proto: p.Proto}] = true
	}
	var out []Port
	for key := range exposed {
		ps, err := parsePort(key)
		if err == nil && strings.Contains(key, ":") {
			err = fmt.Errorf("host part not allowed")
		}
		if err != nil {
			return nil, fmt.Errorf("invalid exposed port %q: %w", key, err)
		}
		for _, p := range ps {
			if !taken[Port{ContainerPort: p.ContainerPort, Proto: p.Proto}] {
				out = append(out, p)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ContainerPort != out[j].ContainerPort {
			return out[i].ContainerPort < out[j].ContainerPort
		}
		return out[i].Proto < out[j].Proto
	})
	return out, nil
}
