package ns

import (
	"fmt"

	"github.com/moby/sys/capability"
	"golang.org/x/sys/unix"
)

// dropPrivileges switches to u keeping exactly the capabilities names
// (Docker's): the bounding set is the set; uid 0 gets it as permitted and
// effective; any other uid gets none, as after exec as that uid. The
// inheritable set stays empty (CVE-2022-24769). It works on the calling
// thread, which must be the one that execs. A privileged container gets
// every capability of names that pocket holds: where pocket itself runs
// with a smaller bounding set (in a container), asking for more fails.
func dropPrivileges(u execUser, names []string, privileged bool) error {
	caps, err := capability.NewPid2(0)
	if err != nil {
		return fmt.Errorf("capabilities: %w", err)
	}
	if err := caps.Load(); err != nil {
		return fmt.Errorf("capabilities: %w", err)
	}
	last, err := capability.LastCap()
	if err != nil {
		return fmt.Errorf("capabilities: %w", err)
	}
	known := capByName()
	var set []capability.Cap
	for _, n := range names {
		// A capability newer than the kernel cannot be kept.
		if c, ok := known[n]; ok && c <= last && (!privileged || caps.Get(capability.BOUNDING, c)) {
			set = append(set, c)
		}
	}
	caps.Clear(capability.BOUNDING)
	caps.Set(capability.BOUNDING, set...)
	if err := caps.Apply(capability.BOUNDS); err != nil {
		return fmt.Errorf("set bounding capabilities: %w", err)
	}

	// Keep the permitted set across setuid so capset below can pick from it.
	if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("prctl keepcaps: %w", err)
	}
	if err := setgroups(u.Groups); err != nil {
		return fmt.Errorf("setgroups %v: %w", u.Groups, err)
	}
	if err := unix.Setgid(u.GID); err != nil {
		return fmt.Errorf("setgid %d: %w (hint: is the gid mapped in the user namespace?)", u.GID, err)
	}
	if err := unix.Setuid(u.UID); err != nil {
		return fmt.Errorf("setuid %d: %w (hint: is the uid mapped in the user namespace?)", u.UID, err)
	}
	if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("prctl keepcaps: %w", err)
	}

	caps.Clear(capability.CAPS | capability.AMBIENT)
	if u.UID == 0 {
		caps.Set(capability.PERMITTED|capability.EFFECTIVE, set...)
	}
	if err := caps.Apply(capability.CAPS | capability.AMBS); err != nil {
		return fmt.Errorf("set capabilities: %w", err)
	}
	return nil
}
