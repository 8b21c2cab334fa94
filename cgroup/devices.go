package cgroup

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Device rules are the OCI runtime-spec's linux.resources.devices: on
// cgroup v1 they are written to devices.deny/devices.allow in order, on
// cgroup v2 containerd compiles them into an eBPF device program.
//
// Without them a container's root, which keeps CAP_MKNOD as in Docker,
// can mknod any host device (a disk, /dev/mem, a loop device) and read and
// write it.

// wildcard is the runtime-spec's "any major/minor" (and containerd's).
const wildcard = -1

// rule is a complete rule: containerd's eBPF compiler needs the type ("a"
// for all) and both numbers, where the runtime-spec lets them default.
func rule(allow bool, typ string, major, minor int64, access string) specs.LinuxDeviceCgroup {
	return specs.LinuxDeviceCgroup{Allow: allow, Type: typ, Major: &major, Minor: &minor, Access: access}
}

// dockerDevices is the device list of Docker's default spec (moby
// daemon/pkg/oci/defaults.go): deny everything, then allow the nodes every
// container gets. fuse (10:229) is denied explicitly, as there.
func dockerDevices() []specs.LinuxDeviceCgroup {
	return []specs.LinuxDeviceCgroup{
		rule(false, "a", wildcard, wildcard, "rwm"),
		rule(true, "c", 1, 5, "rwm"),     // /dev/zero
		rule(true, "c", 1, 3, "rwm"),     // /dev/null
		rule(true, "c", 1, 9, "rwm"),     // /dev/urandom
		rule(true, "c", 1, 8, "rwm"),     // /dev/random
		rule(true, "c", 5, 0, "rwm"),     // /dev/tty
		rule(true, "c", 5, 1, "rwm"),     // /dev/console
		rule(false, "c", 10, 229, "rwm"), // /dev/fuse
	}
}

// runcDevices is what runc appends to every container's list after the
// spec's own (libcontainer/specconv AllowedDevices): mknod of any node
// (opening one is still denied), the default nodes, the container's
// devpts and ptmx, and /dev/net/tun.
func runcDevices() []specs.LinuxDeviceCgroup {
	return []specs.LinuxDeviceCgroup{
		rule(true, "c", wildcard, wildcard, "m"),
		rule(true, "b", wildcard, wildcard, "m"),
		rule(true, "c", 1, 3, "rwm"),          // /dev/null
		rule(true, "c", 1, 8, "rwm"),          // /dev/random
		rule(true, "c", 1, 7, "rwm"),          // /dev/full
		rule(true, "c", 5, 0, "rwm"),          // /dev/tty
		rule(true, "c", 1, 5, "rwm"),          // /dev/zero
		rule(true, "c", 1, 9, "rwm"),          // /dev/urandom
		rule(true, "c", 136, wildcard, "rwm"), // /dev/pts/*
		rule(true, "c", 5, 2, "rwm"),          // /dev/ptmx
		rule(true, "c", 10, 200, "rwm"),       // /dev/net/tun
	}
}

// DeviceRules is the device list of a Docker container that is not
// privileged: Docker's defaults, then extra (--device and
// --device-cgroup-rule, in that order), then runc's. The order matters:
// on cgroup v1 each rule is applied in turn.
func DeviceRules(extra ...specs.LinuxDeviceCgroup) []specs.LinuxDeviceCgroup {
	out := dockerDevices()
	out = append(out, extra...)
	return append(out, runcDevices()...)
}

// AllDevices is the device list of a --privileged container: every device.
func AllDevices() []specs.LinuxDeviceCgroup {
	return []specs.LinuxDeviceCgroup{rule(true, "a", wildcard, wildcard, "rwm")}
}

// ruleSyntax is Docker's grammar for --device-cgroup-rule (docker/cli
// cli/command/container/opts.go).
var ruleSyntax = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$`)
})

// ParseDeviceRule reads a --device-cgroup-rule, "TYPE MAJOR:MINOR ACCESS"
// as in the kernel's devices.allow ("c 1:3 rwm", "b 7:* r"), into an
// allow rule.
func ParseDeviceRule(s string) (specs.LinuxDeviceCgroup, error) {
	m := ruleSyntax().FindStringSubmatch(s)
	if m == nil {
		return specs.LinuxDeviceCgroup{}, fmt.Errorf("%w '%s' (hint: TYPE MAJOR:MINOR ACCESS, as 'c 1:3 rwm': "+
			"type a, b or c; major and minor a number or *; access of r, w and m)", ErrInvalidDeviceRule, s)
	}
	var num [2]int64
	for i, v := range m[2:4] {
		num[i] = wildcard
		if v == "*" {
			continue
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return specs.LinuxDeviceCgroup{}, fmt.Errorf("%w '%s': %s is not a device number", ErrInvalidDeviceRule, s, v)
		}
		num[i] = int64(n)
	}
	return rule(true, m[1], num[0], num[1], m[4]), nil
}

// FormatDeviceRule is r as the kernel's devices.list shows it and
// ParseDeviceRule reads it: "c 1:3 rwm", "a *:* rwm".
func FormatDeviceRule(r specs.LinuxDeviceCgroup) string {
	num := func(p *int64) string {
		if p == nil || *p == wildcard {
			return "*"
		}
		return strconv.FormatInt(*p, 10)
	}
	typ := r.Type
	if typ == "" {
		typ = "a"
	}
	return fmt.Sprintf("%s %s:%s %s", typ, num(r.Major), num(r.Minor), r.Access)
}

// ValidDeviceAccess reports whether a is a --device permission Docker
// accepts (its validDeviceMode): r, w and m, each at most once.
func ValidDeviceAccess(a string) bool {
	if a == "" || len(a) > 3 {
		return false
	}
	for i, c := range a {
		if !strings.ContainsRune("rwm", c) || strings.ContainsRune(a[i+1:], c) {
			return false
		}
	}
	return true
}

// complete fills in what the runtime-spec lets a rule leave out (type
// "a", any major, any minor), for containerd's eBPF compiler.
func complete(rules []specs.LinuxDeviceCgroup) []specs.LinuxDeviceCgroup {
	if rules == nil {
		return nil
	}
	out := make([]specs.LinuxDeviceCgroup, len(rules))
	for i, r := range rules {
		major, minor := int64(wildcard), int64(wildcard)
		if r.Major != nil {
			major = *r.Major
		}
		if r.Minor != nil {
			minor = *r.Minor
		}
		typ := r.Type
		if typ == "" {
			typ = "a"
		}
		out[i] = rule(r.Allow, typ, major, minor, r.Access)
	}
	return out
}

// validateDevices refuses a rule neither the kernel nor containerd reads.
func validateDevices(rules []specs.LinuxDeviceCgroup) error {
	for _, r := range rules {
		switch r.Type {
		case "", "a", "b", "c":
		default:
			return invalid("device rule", fmt.Sprintf("%q: type must be a, b or c", FormatDeviceRule(r)))
		}
		if r.Access == "" || strings.Trim(r.Access, "rwm") != "" {
			return invalid("device rule", fmt.Sprintf("%q: access must be of r, w and m", FormatDeviceRule(r)))
		}
	}
	return nil
}

// RuncDevices is the list runc appends to every container's device rules
// (see runcDevices), for the OCI runtime front door, which follows runc.
func RuncDevices() []specs.LinuxDeviceCgroup { return runcDevices() }
