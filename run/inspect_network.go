package run

import (
	"fmt"
	"net"

	"pocket/network"
)

// NetworkSettings is inspect's NetworkSettings, keys in Docker's order.
type NetworkSettings struct {
	Bridge                 string                    `json:"Bridge"`
	SandboxID              string                    `json:"SandboxID"`
	HairpinMode            bool                      `json:"HairpinMode"`
	LinkLocalIPv6Address   string                    `json:"LinkLocalIPv6Address"`
	LinkLocalIPv6PrefixLen int                       `json:"LinkLocalIPv6PrefixLen"`
	Ports                  map[string][]PortBinding  `json:"Ports"`
	SandboxKey             string                    `json:"SandboxKey"`
	SecondaryIPAddresses   []string                  `json:"SecondaryIPAddresses"`
	SecondaryIPv6Addresses []string                  `json:"SecondaryIPv6Addresses"`
	EndpointID             string                    `json:"EndpointID"`
	Gateway                string                    `json:"Gateway"`
	GlobalIPv6Address      string                    `json:"GlobalIPv6Address"`
	GlobalIPv6PrefixLen    int                       `json:"GlobalIPv6PrefixLen"`
	IPAddress              string                    `json:"IPAddress"`
	IPPrefixLen            int                       `json:"IPPrefixLen"`
	IPv6Gateway            string                    `json:"IPv6Gateway"`
	MacAddress             string                    `json:"MacAddress"`
	Networks               map[string]EndpointConfig `json:"Networks"`
}

// PortBinding is one host side of a published port.
type PortBinding struct {
	HostIP   string `json:"HostIp"`
	HostPort string `json:"HostPort"`
}

// EndpointConfig is a container's place on one network (Docker's
// EndpointSettings).
type EndpointConfig struct {
	IPAMConfig          any      `json:"IPAMConfig"`
	Links               []string `json:"Links"`
	Aliases             []string `json:"Aliases"`
	NetworkID           string   `json:"NetworkID"`
	EndpointID          string   `json:"EndpointID"`
	Gateway             string   `json:"Gateway"`
	IPAddress           string   `json:"IPAddress"`
	IPPrefixLen         int      `json:"IPPrefixLen"`
	IPv6Gateway         string   `json:"IPv6Gateway"`
	GlobalIPv6Address   string   `json:"GlobalIPv6Address"`
	GlobalIPv6PrefixLen int      `json:"GlobalIPv6PrefixLen"`
	MacAddress          string   `json:"MacAddress"`
	DriverOpts          any      `json:"DriverOpts"`
}

func networkSettings(c *container) *NetworkSettings {
	ns := &NetworkSettings{Ports: map[string][]PortBinding{}, Networks: map[string]EndpointConfig{}}
	ep := EndpointConfig{NetworkID: networkID(c.spec.Network)}
	if st := c.state.Net; c.state.Status == statusRunning && st != nil {
		ep.IPAddress, ep.Gateway, ep.IPPrefixLen = st.IP, st.Gateway, st.Prefix
		// The bridge gives eth0 Docker's address derived from the IP;
		// rootless networking (pasta, slirp4netns) chooses its own.
		if ip := net.ParseIP(st.IP); ip != nil && !c.spec.Net.Rootless {
			ep.MacAddress = network.MAC(ip).String()
		}
		for _, p := range st.Ports {
			k := fmt.Sprintf("%d/%s", p.ContainerPort, p.Proto)
			ns.Ports[k] = append(ns.Ports[k], PortBinding{HostIP: hostIP(p), HostPort: fmt.Sprint(p.HostPort)})
		}
	}
	ns.IPAddress, ns.Gateway, ns.IPPrefixLen, ns.MacAddress = ep.IPAddress, ep.Gateway, ep.IPPrefixLen, ep.MacAddress
	ns.Networks[c.spec.Network] = ep
	return ns
}
