package network

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"

	"github.com/coreos/go-iptables/iptables"
)

// pocket's own chains; the built-in chains only jump to them, so removing
// pocket's rules never touches anyone else's.
const (
	chainNAT     = "POCKET"             // nat: DNAT for published ports
	chainPost    = "POCKET-POSTROUTING" // nat: masquerading
	chainForward = "POCKET-FORWARD"     // filter: what may cross the bridge
)

// jump is a rule in a built-in chain that sends packets to pocket's chains.
type jump struct {
	table, chain string
	spec         []string
}

var jumps = []jump{
	// Published ports answer on every local address, from outside
	// (PREROUTING) and from the host itself, 127.0.0.1 included (OUTPUT).
	{"nat", "PREROUTING", []string{"-m", "addrtype", "--dst-type", "LOCAL", "-j", chainNAT}},
	{"nat", "OUTPUT", []string{"-m", "addrtype", "--dst-type", "LOCAL", "-j", chainNAT}},
	{"nat", "POSTROUTING", []string{"-j", chainPost}},
	{"filter", "FORWARD", []string{"-j", chainForward}},
}

func newIPTables() (*iptables.IPTables, error) {
	ipt, err := iptables.NewWithProtocol(iptables.ProtocolIPv4)
	if err != nil {
		return nil, fmt.Errorf("find iptables: %w (hint: apt-get install iptables)", err)
	}
	return ipt, nil
}

// comment tags every per-container rule (with allocation.tag) so it can be
// found and removed.
func comment(tag string) []string { return []string{"-m", "comment", "--comment", "pocket:" + tag} }

// ensureChains creates pocket's chains, the jumps to them and the rules
// shared by all containers.
func ensureChains(ipt *iptables.IPTables, subnet *net.IPNet) error {
	for _, c := range []struct{ table, chain string }{{"nat", chainNAT}, {"nat", chainPost}, {"filter", chainForward}} {
		ok, err := ipt.ChainExists(c.table, c.chain)
		if err != nil {
			return fmt.Errorf("iptables: %w", err)
		}
		if !ok {
			if err := ipt.NewChain(c.table, c.chain); err != nil {
				return fmt.Errorf("iptables create chain %s: %w", c.chain, err)
			}
		}
	}
	shared := []struct {
		table, chain string
		spec         []string
	}{
		// Containers reach whatever the host reaches.
		{"nat", chainPost, []string{"-s", subnet.String(), "!", "-o", BridgeName, "-j", "MASQUERADE"}},
		// Published ports reached from 127.0.0.1: the DNATed packet
		// leaves with a loopback source, which the container could not
		// answer; give it the bridge address instead.
		{"nat", chainPost, []string{"-s", "127.0.0.0/8", "-o", BridgeName, "-j", "MASQUERADE"}},
		{"filter", chainForward, []string{"-o", BridgeName, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"}},
		{"filter", chainForward, []string{"-i", BridgeName, "-j", "ACCEPT"}},
	}
	for _, r := range shared {
		if err := ipt.AppendUnique(r.table, r.chain, r.spec...); err != nil {
			return fmt.Errorf("iptables add rule to %s: %w", r.chain, err)
		}
	}
	for _, j := range jumps {
		// Insert first so a DROP policy or REJECT rule of the host's
		// firewall does not shadow pocket's rules.
		if err := ipt.InsertUnique(j.table, j.chain, 1, j.spec...); err != nil {
			return fmt.Errorf("iptables add jump from %s to pocket: %w", j.chain, err)
		}
	}
	return nil
}

// addPortRules publishes ports of the container at ip, tagging the rules.
// All of them go in one iptables-restore: an iptables exec per rule cost
// ~50 ms a port (100 ports took seconds).
func addPortRules(ipt *iptables.IPTables, tag string, ip net.IP, ports []Port) error {
	var nat, filter [][]string
	for _, p := range ports {
		hp, cp := strconv.Itoa(int(p.HostPort)), strconv.Itoa(int(p.ContainerPort))
		dnat := []string{"-A", chainNAT, "-p", p.Proto}
		if p.HostIP != "" {
			dnat = append(dnat, "-d", p.HostIP)
		}
		dnat = append(dnat, "--dport", hp)
		dnat = append(dnat, comment(tag)...)
		dnat = append(dnat, "-j", "DNAT", "--to-destination", net.JoinHostPort(ip.String(), cp))
		// A container reaching its own published port via the host
		// (hairpin) must see the reply come from the host.
		hairpin := append([]string{"-A", chainPost, "-s", ip.String(), "-d", ip.String(), "-p", p.Proto, "--dport", cp}, comment(tag)...)
		hairpin = append(hairpin, "-j", "MASQUERADE")
		fwd := append([]string{"-A", chainForward, "-d", ip.String(), "!", "-i", BridgeName, "-o", BridgeName, "-p", p.Proto, "--dport", cp}, comment(tag)...)
		fwd = append(fwd, "-j", "ACCEPT")
		nat = append(nat, dnat, hairpin)
		filter = append(filter, fwd)
	}
	if err := restore(ipt, map[string][][]string{"nat": nat, "filter": filter}); err != nil {
		return fmt.Errorf("iptables publish ports: %w", err)
	}
	return nil
}

// removeRules deletes every rule tagged with tag from pocket's chains, in
// one iptables-restore.
func removeRules(ipt *iptables.IPTables, tag string) error {
	quoted := `--comment "pocket:` + tag + `"`
	bare := `--comment pocket:` + tag + ` `
	del := map[string][][]string{}
	for _, c := range []struct{ table, chain string }{{"nat", chainNAT}, {"nat", chainPost}, {"filter", chainForward}} {
		rules, err := ipt.List(c.table, c.chain)
		var ie *iptables.Error
		if errors.As(err, &ie) && ie.IsNotExist() {
			continue
		}
		if err != nil {
			return fmt.Errorf("iptables list %s: %w", c.chain, err)
		}
		// rules[0] is "-N CHAIN"; the others are "-A CHAIN SPEC", in
		// iptables-save's quoting, which iptables-restore reads back.
		for _, r := range rules[1:] {
			if strings.Contains(r, quoted) || strings.Contains(r+" ", bare) {
				del[c.table] = append(del[c.table], []string{"-D" + strings.TrimPrefix(r, "-A")})
			}
		}
	}
	if len(del) == 0 {
		return nil
	}
	if err := restore(ipt, del); err != nil {
		return fmt.Errorf("iptables delete rules of %s: %w", tag, err)
	}
	return nil
}

// restore applies rules (each the words of one iptables command line, or
// one already quoted line) table by table with `iptables-restore
// --noflush`: one exec, and each table's rules all or none. Words are
// pocket's own (no quotes or spaces).
func restore(ipt *iptables.IPTables, rules map[string][][]string) error {
	var b strings.Builder
	for _, table := range []string{"nat", "filter"} {
		if len(rules[table]) == 0 {
			continue
		}
		fmt.Fprintf(&b, "*%s\n", table)
		for _, r := range rules[table] {
			b.WriteString(strings.Join(r, " ") + "\n")
		}
		b.WriteString("COMMIT\n")
	}
	if b.Len() == 0 {
		return nil
	}
	path, err := exec.LookPath("iptables-restore")
	if err != nil {
		return fmt.Errorf("find iptables-restore: %w (hint: apt-get install iptables)", err)
	}
	args := []string{"--noflush"}
	// --wait for the xtables lock, as go-iptables passes it to iptables.
	if v1, v2, v3 := ipt.GetIptablesVersion(); v1 > 1 || v1 == 1 && (v2 > 6 || v2 == 6 && v3 >= 2) {
		args = append(args, "--wait")
	}
	cmd := exec.Command(path, args...)
	cmd.Stdin = strings.NewReader(b.String())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return fmt.Errorf("iptables-restore: %s", msg)
		}
		return fmt.Errorf("iptables-restore: %w", err)
	}
	return nil
}

// removeChains deletes the jumps and pocket's chains with all their rules.
func removeChains(ipt *iptables.IPTables) error {
	for _, j := range jumps {
		// Naming a missing chain in a rule is an error, even to check it.
		target := j.spec[len(j.spec)-1]
		if ok, err := ipt.ChainExists(j.table, target); err != nil || !ok {
			continue
		}
		if err := ipt.DeleteIfExists(j.table, j.chain, j.spec...); err != nil {
			return fmt.Errorf("iptables delete jump from %s: %w", j.chain, err)
		}
	}
	for _, c := range []struct{ table, chain string }{{"nat", chainNAT}, {"nat", chainPost}, {"filter", chainForward}} {
		ok, err := ipt.ChainExists(c.table, c.chain)
		if err != nil {
			return fmt.Errorf("iptables: %w", err)
		}
		if ok {
			if err := ipt.ClearAndDeleteChain(c.table, c.chain); err != nil {
				return fmt.Errorf("iptables delete chain %s: %w", c.chain, err)
			}
		}
	}
	return nil
}
