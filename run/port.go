package run

import (
	"fmt"
	"net"
	"strings"

	"pocket/network"
	"pocket/store"
)

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
