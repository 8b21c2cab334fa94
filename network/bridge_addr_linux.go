package network

import (
	"net"

	"github.com/vishvananda/netlink"
)

// BridgeAddress is the bridge's subnet and gateway as they are now, for
// `network inspect`; ok is false while no container made the bridge.
// It only reads: inspecting must not create the bridge.
func BridgeAddress() (subnet *net.IPNet, gateway net.IP, ok bool) {
	br, err := netlink.LinkByName(BridgeName)
	if err != nil {
		return nil, nil, false
	}
	addrs, err := netlink.AddrList(br, netlink.FAMILY_V4)
	if err != nil || len(addrs) == 0 {
		return nil, nil, false
	}
	a := addrs[0]
	return &net.IPNet{IP: a.IP.Mask(a.Mask), Mask: a.Mask}, a.IP, true
}
