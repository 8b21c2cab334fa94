package ns

import (
	"fmt"
	"strings"

	"github.com/moby/sys/capability"
	"golang.org/x/sys/unix"
)

// dropPrivileges switches to u keeping exactly the capabilities names
// (Docker's): the bounding set is the set; uid 0 gets it as permitted and
// effective; any other uid gets none, as after exec as that uid. The
// inheritable set stays empty (CVE-2022-24769). It works on the calling
// thread, which must be the one that execs.
//
// all says names stand for every capability (--privileged, --cap-add
// ALL): then those pocket's own bounding set lacks (pocket nested in a
// container that dropped some) are left out, as podman does, instead of
// failing the capset; one asked for by name is still an error.
func dropPrivileges(u execUser, names []string, all bool) error {
	caps, last, err := loadCaps()
	if err != nil {
		return err
	}
	known := capByName()
	var set []capability.Cap
	for _, n := range names {
		c, ok := known[n]
		// A capability newer than the kernel cannot be kept.
		if !ok || c > last {
			continue
		}
		if !caps.Get(capability.BOUNDING, c) {
			if all {
				continue
			}
			return fmt.Errorf("capability %s: %w (hint: --cap-drop %s, or run pocket with it)", n, ErrCapUnavailable, strings.TrimPrefix(n, "CAP_"))
		}
		set = append(set, c)
	}
	if err := becomeUser(caps, set, u); err != nil {
		return err
	}
	if u.UID == 0 {
		caps.Set(capability.PERMITTED|capability.EFFECTIVE, set...)
	}
	if err := caps.Apply(capability.CAPS | capability.AMBS); err != nil {
		return fmt.Errorf("set capabilities: %w", err)
	}
	return nil
}

// loadCaps is this thread's capability state and the kernel's last
// capability.
func loadCaps() (capability.Capabilities, capability.Cap, error) {
	caps, err := capability.NewPid2(0)
	if err != nil {
		return nil, 0, fmt.Errorf("capabilities: %w", err)
	}
	if err := caps.Load(); err != nil {
		return nil, 0, fmt.Errorf("capabilities: %w", err)
	}
	last, err := capability.LastCap()
	if err != nil {
		return nil, 0, fmt.Errorf("capabilities: %w", err)
	}
	return caps, last, nil
}

// becomeUser limits the bounding set to bounding and switches to u's
// groups, gid and uid, keeping the permitted set across setuid
// (PR_SET_KEEPCAPS) so that the caller's capset can pick from it. It
// leaves caps cleared but for the bounding set, for the caller to fill
// and apply.
func becomeUser(caps capability.Capabilities, bounding []capability.Cap, u execUser) error {
	caps.Clear(capability.BOUNDING)
	caps.Set(capability.BOUNDING, bounding...)
	if err := caps.Apply(capability.BOUNDS); err != nil {
		return fmt.Errorf("set bounding capabilities: %w", err)
	}
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
	return nil
}
