package network

import "net"

// MAC is the hardware address Docker gives a container's interface on a
// bridge: 02:42 (locally administered) and the four bytes of its IPv4
// address, so that inspect can say it without asking the kernel.
func MAC(ip net.IP) net.HardwareAddr {
	ip4 := ip.To4()
	if ip4 == nil {
		return nil
	}
	return net.HardwareAddr{0x02, 0x42, ip4[0], ip4[1], ip4[2], ip4[3]}
}
