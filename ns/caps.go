package ns

import (
	"fmt"
	"slices"
	"strings"

	"github.com/moby/sys/capability"
)

// capByName maps "CAP_CHOWN" to its number, for every capability known to
// the capability package.
func capByName() map[string]capability.Cap {
	m := make(map[string]capability.Cap)
	for _, c := range capability.ListKnown() {
		m["CAP_"+strings.ToUpper(c.String())] = c
	}
	return m
}

// normalizeCap turns "net_admin", "NET_ADMIN" or "cap_net_admin" into
// "CAP_NET_ADMIN"; "all" becomes "ALL".
func normalizeCap(name string) string {
	n := strings.ToUpper(strings.TrimSpace(name))
	if n == "ALL" || strings.HasPrefix(n, "CAP_") {
		return n
	}
	return "CAP_" + n
}

// ValidateCaps checks --cap-add/--cap-drop names before a container is made.
func ValidateCaps(names []string) error {
	known := capByName()
	for _, name := range names {
		n := normalizeCap(name)
		if n == "ALL" {
			continue
		}
		if _, ok := known[n]; !ok {
			return fmt.Errorf("capability %q: %w (hint: see capabilities(7) for the names)", name, ErrUnknownCap)
		}
	}
	return nil
}

// Capabilities is the capability set the process keeps, following Docker's
// TweakCapabilities: privileged gets all; "ALL" in CapAdd gives all but
// the dropped ones; "ALL" in CapDrop leaves only CapAdd; otherwise the
// defaults less CapDrop plus CapAdd.
func Capabilities(s Security) ([]string, error) {
	known := capByName()
	all := make([]string, 0, len(known))
	for n := range known {
		all = append(all, n)
	}
	slices.Sort(all)
	if s.Privileged {
		return all, nil
	}
	norm := func(names []string) ([]string, error) {
		if err := ValidateCaps(names); err != nil {
			return nil, err
		}
		out := make([]string, 0, len(names))
		for _, n := range names {
			out = append(out, normalizeCap(n))
		}
		return out, nil
	}
	add, err := norm(s.CapAdd)
	if err != nil {
		return nil, err
	}
	drop, err := norm(s.CapDrop)
	if err != nil {
		return nil, err
	}

	var caps []string
	switch {
	case slices.Contains(add, "ALL"):
		for _, c := range all {
			if !slices.Contains(drop, c) {
				caps = append(caps, c)
			}
		}
	case slices.Contains(drop, "ALL"):
		caps = add
	default:
		for _, c := range DefaultCaps {
			if !slices.Contains(drop, c) {
				caps = append(caps, c)
			}
		}
		caps = append(caps, add...)
	}
	slices.Sort(caps)
	return slices.Compact(caps), nil
}

// allCaps reports whether s asks for every capability there is
// (--privileged, or --cap-add ALL) rather than for named ones.
func allCaps(s Security) bool {
	return s.Privileged || slices.ContainsFunc(s.CapAdd, func(n string) bool { return normalizeCap(n) == "ALL" })
}

// KnownCaps lists every capability name pocket knows, sorted.
func KnownCaps() []string {
	known := capByName()
	out := make([]string, 0, len(known))
	for n := range known {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
