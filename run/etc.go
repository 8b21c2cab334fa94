package run

import (
	"bufio"
	"bytes"
	"net/netip"
	"strings"
)

// defaultHosts is the /etc/hosts Docker writes for a container without a
// network address (network none).
const defaultHosts = `127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
fe00::0	ip6-localnet
ff00::0	ip6-mcastprefix
ff02::1	ip6-allnodes
ff02::2	ip6-allrouters
`

// Docker's fallback name servers when the host has only loopback ones,
// which a container in its own network namespace cannot reach.
var defaultNameservers = []string{"8.8.8.8", "8.8.4.4"}

// hostsFile is the container's /etc/hosts: the host's own with host
// networking (the container shares its names), Docker's localhost entries
// otherwise.
func hostsFile(network string, host []byte) []byte {
	if network == "host" && host != nil {
		return host
	}
	return []byte(defaultHosts)
}

// resolvConf is the container's /etc/resolv.conf. Host networking shares
// the host's resolvers, loopback ones included. Otherwise loopback name
// servers (127.0.0.0/8, ::1) are dropped as Docker does, and when none is
// left Docker's public defaults are added.
func resolvConf(network string, host []byte) []byte {
	if network == "host" {
		return host
	}
	var out bytes.Buffer
	servers := 0
	sc := bufio.NewScanner(bytes.NewReader(host))
	for sc.Scan() {
		line := sc.Text()
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "nameserver" {
			addr, err := netip.ParseAddr(strings.SplitN(f[1], "%", 2)[0])
			if err == nil && addr.Unmap().IsLoopback() {
				continue
			}
			servers++
		}
		out.WriteString(line + "\n")
	}
	if servers == 0 {
		for _, ns := range defaultNameservers {
			out.WriteString("nameserver " + ns + "\n")
		}
	}
	return out.Bytes()
}

// hostnameFile is the container's /etc/hostname.
func hostnameFile(hostname string) []byte { return []byte(hostname + "\n") }
