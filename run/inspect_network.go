package run

import "fmt"

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
