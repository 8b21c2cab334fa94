package network

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// BridgeName is the host bridge every container's veth is attached to.
const BridgeName = "pocket0"

// candidateSubnets are tried in order; the first that overlaps no route or
// address of the host becomes the bridge's subnet (Docker's default pool
// starts at 172.17.0.0/16 too).
var candidateSubnets = func() []string {
	var s []string
	for i := 17; i <= 31; i++ {
		s = append(s, fmt.Sprintf("172.%d.0.0/16", i))
	}
	for i := 89; i <= 99; i++ {
		s = append(s, fmt.Sprintf("10.%d.0.0/16", i))
	}
	for i := 0; i <= 15; i++ {
		s = append(s, fmt.Sprintf("192.168.%d.0/24", 200+i))
	}
	return s
}()

// ensureBridge creates the bridge if it is missing (choosing its subnet) and
// returns it with its subnet and gateway address; made says it was
// missing. The subnet is recorded in st.
func ensureBridge(st *state) (br netlink.Link, made bool, subnet *net.IPNet, gw net.IP, err error) {
	_, lerr := netlink.LinkByName(BridgeName)
	br, subnet, gw, err = makeBridge(st)
	return br, lerr != nil, subnet, gw, err
}

func makeBridge(st *state) (netlink.Link, *net.IPNet, net.IP, error) {
	br, err := netlink.LinkByName(BridgeName)
	if err == nil {
		addrs, err := netlink.AddrList(br, netlink.FAMILY_V4)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("list addresses of %s: %w", BridgeName, err)
		}
		if len(addrs) > 0 {
			gw := addrs[0].IP.To4()
			subnet := &net.IPNet{IP: gw.Mask(addrs[0].Mask), Mask: addrs[0].Mask}
			st.Subnet = subnet.String()
			if err := netlink.LinkSetUp(br); err != nil {
				return nil, nil, nil, fmt.Errorf("bring up %s: %w", BridgeName, err)
			}
			return br, subnet, gw, bridgeSysctls()
		}
		// A bridge without an address is half made: start again.
		if err := netlink.LinkDel(br); err != nil {
			return nil, nil, nil, fmt.Errorf("delete %s: %w", BridgeName, err)
		}
	} else if !isNotFound(err) {
		return nil, nil, nil, fmt.Errorf("find %s: %w", BridgeName, err)
	}

	subnet, err := chooseSubnet(st)
	if err != nil {
		return nil, nil, nil, err
	}
	gw := uintToIP(ipToUint(subnet.IP) + 1)
	la := netlink.NewLinkAttrs()
	la.Name = BridgeName
	if err := netlink.LinkAdd(&netlink.Bridge{LinkAttrs: la}); err != nil {
		return nil, nil, nil, fmt.Errorf("create bridge %s: %w", BridgeName, err)
	}
	br, err = netlink.LinkByName(BridgeName)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("find %s: %w", BridgeName, err)
	}
	addr := &netlink.Addr{IPNet: &net.IPNet{IP: gw, Mask: subnet.Mask}}
	if err := netlink.AddrAdd(br, addr); err != nil {
		netlink.LinkDel(br)
		return nil, nil, nil, fmt.Errorf("add address %s to %s: %w", addr.IPNet, BridgeName, err)
	}
	if err := netlink.LinkSetUp(br); err != nil {
		netlink.LinkDel(br)
		return nil, nil, nil, fmt.Errorf("bring up %s: %w", BridgeName, err)
	}
	st.Subnet = subnet.String()
	return br, subnet, gw, bridgeSysctls()
}

// chooseSubnet keeps the recorded subnet while containers still use it,
// otherwise picks the first candidate that collides with nothing on the host.
func chooseSubnet(st *state) (*net.IPNet, error) {
	if st.Subnet != "" && len(st.Allocations) > 0 {
		_, n, err := net.ParseCIDR(st.Subnet)
		if err != nil {
			return nil, fmt.Errorf("recorded subnet %q: %w", st.Subnet, err)
		}
		return n, nil
	}
	var inUse []*net.IPNet
	routes, err := netlink.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{Table: unix.RT_TABLE_UNSPEC}, netlink.RT_FILTER_TABLE)
	if err != nil {
		return nil, fmt.Errorf("list routes: %w", err)
	}
	for _, r := range routes {
		if r.Dst != nil && !isDefault(r.Dst) {
			inUse = append(inUse, r.Dst)
		}
	}
	addrs, err := netlink.AddrList(nil, netlink.FAMILY_V4)
	if err != nil {
		return nil, fmt.Errorf("list addresses: %w", err)
	}
	for _, a := range addrs {
		inUse = append(inUse, a.IPNet)
	}
	for _, c := range candidateSubnets {
		_, n, _ := net.ParseCIDR(c)
		free := true
		for _, u := range inUse {
			if n.Contains(u.IP) || u.Contains(n.IP) {
				free = false
				break
			}
		}
		if free {
			return n, nil
		}
	}
	return nil, ErrNoSubnet
}

func isDefault(n *net.IPNet) bool {
	ones, _ := n.Mask.Size()
	return ones == 0
}

// bridgeSysctls lets the host forward the containers' traffic and lets
// loopback-sourced packets (DNATed from 127.0.0.1) be routed to the bridge.
func bridgeSysctls() error {
	if err := sysctl("net/ipv4/ip_forward", "1"); err != nil {
		return err
	}
	return sysctl("net/ipv4/conf/"+BridgeName+"/route_localnet", "1")
}

func sysctl(key, value string) error {
	path := "/proc/sys/" + key
	cur, err := os.ReadFile(path)
	if err == nil && strings.TrimSpace(string(cur)) == value {
		return nil
	}
	if err := os.WriteFile(path, []byte(value), 0o644); err != nil {
		return fmt.Errorf("set %s: %w", strings.ReplaceAll(key, "/", "."), err)
	}
	return nil
}

// removeBridge deletes the bridge if it exists.
func removeBridge() error {
	br, err := netlink.LinkByName(BridgeName)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find %s: %w", BridgeName, err)
	}
	if err := netlink.LinkDel(br); err != nil {
		return fmt.Errorf("delete %s: %w", BridgeName, err)
	}
	return nil
}

func isNotFound(err error) bool {
	var lnf netlink.LinkNotFoundError
	return errors.As(err, &lnf)
}
