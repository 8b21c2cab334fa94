package network

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// vethName is "veth" and 8 hex digits of the container ID (hashed when the
// ID is not hex), unless another allocation already uses that name.
func vethName(st *state, id string) string {
	used := map[string]bool{}
	for _, a := range st.Allocations {
		used[a.Veth] = true
	}
	h := id
	if len(h) < 8 || !isHex(h[:8]) {
		sum := sha256.Sum256([]byte(id))
		h = hex.EncodeToString(sum[:])
	}
	name := "veth" + h[:8]
	for i := 0; used[name]; i++ {
		sum := sha256.Sum256(fmt.Appendf(nil, "%s/%d", id, i))
		name = "veth" + hex.EncodeToString(sum[:4])
	}
	return name
}

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// attach creates the veth pair with its peer already in pid's network
// namespace as eth0, plugs the host end into the bridge and configures the
// container side: lo up, eth0 with ip/prefix, default route via gw.
func attach(br netlink.Link, veth string, pid int, ip, gw net.IP, prefix int) error {
	la := netlink.NewLinkAttrs()
	la.Name = veth
	la.MTU = br.Attrs().MTU
	v := &netlink.Veth{LinkAttrs: la, PeerName: "eth0", PeerNamespace: netlink.NsPid(pid)}
	if err := netlink.LinkAdd(v); err != nil {
		return fmt.Errorf("create veth %s for pid %d: %w", veth, pid, err)
	}
	host, err := netlink.LinkByName(veth)
	if err != nil {
		return fmt.Errorf("find %s: %w", veth, err)
	}
	if err := netlink.LinkSetMaster(host, br); err != nil {
		return fmt.Errorf("attach %s to %s: %w", veth, BridgeName, err)
	}
	// Hairpin lets a container reach its own published port via the host.
	if err := netlink.LinkSetHairpin(host, true); err != nil {
		return fmt.Errorf("set hairpin on %s: %w", veth, err)
	}
	if err := netlink.LinkSetUp(host); err != nil {
		return fmt.Errorf("bring up %s: %w", veth, err)
	}

	nsh, err := netns.GetFromPid(pid)
	if err != nil {
		return fmt.Errorf("open network namespace of pid %d: %w", pid, err)
	}
	defer nsh.Close()
	h, err := netlink.NewHandleAt(nsh)
	if err != nil {
		return fmt.Errorf("netlink in namespace of pid %d: %w", pid, err)
	}
	defer h.Close()

	lo, err := h.LinkByName("lo")
	if err != nil {
		return fmt.Errorf("find lo of pid %d: %w", pid, err)
	}
	if err := h.LinkSetUp(lo); err != nil {
		return fmt.Errorf("bring up lo of pid %d: %w", pid, err)
	}
	eth, err := h.LinkByName("eth0")
	if err != nil {
		return fmt.Errorf("find eth0 of pid %d: %w", pid, err)
	}
	if err := h.LinkSetHardwareAddr(eth, MAC(ip)); err != nil {
		return fmt.Errorf("set the address of eth0 of pid %d: %w", pid, err)
	}
	addr := &netlink.Addr{IPNet: &net.IPNet{IP: ip, Mask: net.CIDRMask(prefix, 32)}}
	if err := h.AddrAdd(eth, addr); err != nil {
		return fmt.Errorf("add address %s to eth0 of pid %d: %w", addr.IPNet, pid, err)
	}
	if err := h.LinkSetUp(eth); err != nil {
		return fmt.Errorf("bring up eth0 of pid %d: %w", pid, err)
	}
	route := &netlink.Route{LinkIndex: eth.Attrs().Index, Gw: gw}
	if err := h.RouteAdd(route); err != nil {
		return fmt.Errorf("add default route via %s for pid %d: %w", gw, pid, err)
	}
	return nil
}

// detach deletes the host end of a veth pair (which deletes its peer); a
// missing veth (the container's namespace is gone) is not an error.
func detach(veth string) error {
	l, err := netlink.LinkByName(veth)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find %s: %w", veth, err)
	}
	// The kernel deletes the pair itself when the container's namespace
	// dies, possibly between the lookup and here.
	if err := netlink.LinkDel(l); err != nil && !errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("delete %s: %w", veth, err)
	}
	return nil
}
