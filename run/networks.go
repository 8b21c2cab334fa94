package run

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"pocket/filter"
	"pocket/network"
)

// pocket's networks are Docker's three predefined ones; there is no
// network create yet.
var networkDrivers = map[string]string{"bridge": "bridge", "host": "host", "none": "null"}

// NetworkFilterKeys are `network ls --filter`'s keys pocket answers.
var NetworkFilterKeys = []string{"name", "id", "driver", "scope", "type"}

// NetworkSummary is a `network ls` row; its fields are Docker's template
// fields.
type NetworkSummary struct {
	ID       string
	Name     string
	Driver   string
	Scope    string
	IPv6     string
	Internal string
	Labels   string
}

// networkID is a network's ID: Docker's are random, pocket's fixed
// networks get one derived from their name, the same on every call.
func networkID(name string) string {
	sum := sha256.Sum256([]byte("pocket network " + name))
	return hex.EncodeToString(sum[:])
}

// NetworkList is `pocket network ls`, sorted by name as Docker's.
func NetworkList(f filter.Args) []NetworkSummary {
	out := []NetworkSummary{}
	for _, name := range []string{"bridge", "host", "none"} {
		n := NetworkSummary{ID: networkID(name), Name: name, Driver: networkDrivers[name], Scope: "local",
			IPv6: "false", Internal: "false"}
		if !f.Any("name", func(v string) bool { return strings.Contains(n.Name, v) }) ||
			!f.Any("id", func(v string) bool { return strings.HasPrefix(n.ID, v) }) ||
			!f.Exact("driver", n.Driver) || !f.Exact("scope", n.Scope) ||
			!f.Any("type", func(v string) bool { return v == "builtin" }) {
			continue
		}
		out = append(out, n)
	}
	return out
}

// NetworkInfo is `network inspect`'s object, Docker's shape.
type NetworkInfo struct {
	Name       string
	ID         string `json:"Id"`
	Created    string
	Scope      string
	Driver     string
	EnableIPv6 bool
	IPAM       IPAM
	Internal   bool
	Attachable bool
	Ingress    bool
	ConfigFrom struct{ Network string }
	ConfigOnly bool
	Containers map[string]any
	Options    map[string]string
	Labels     map[string]string
}

// IPAM is Docker's address management section.
type IPAM struct {
	Driver  string
	Options map[string]string
	Config  []IPAMConfig
}

// IPAMConfig is one subnet of a network.
type IPAMConfig struct {
	Subnet  string `json:",omitempty"`
	Gateway string `json:",omitempty"`
}

// NetworkInspect is `pocket network inspect NAME|ID`: the bridge shows
// pocket0's subnet and gateway once a container made it.
func NetworkInspect(ref string) (NetworkInfo, error) {
	for name, driver := range networkDrivers {
		id := networkID(name)
		if ref != name && !(len(ref) >= 1 && strings.HasPrefix(id, ref)) {
			continue
		}
		n := NetworkInfo{Name: name, ID: id, Created: time.Unix(0, 0).UTC().Format(time.RFC3339Nano), Scope: "local",
			Driver: driver, IPAM: IPAM{Driver: "default", Config: []IPAMConfig{}},
			Containers: map[string]any{}, Options: map[string]string{}, Labels: map[string]string{}}
		if name == "bridge" {
			n.Options["com.docker.network.bridge.name"] = network.BridgeName
			if subnet, gw, ok := network.BridgeAddress(); ok {
				n.IPAM.Config = append(n.IPAM.Config, IPAMConfig{Subnet: subnet.String(), Gateway: gw.String()})
			}
		}
		return n, nil
	}
	return NetworkInfo{}, fmt.Errorf("network %s not found", ref)
}
