package ns

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// keyUserSearch is KEY_USR_SEARCH: the keyring's owner may search it.
const keyUserSearch = 0x00080000

// joinSessionKeyring gives the container a new session keyring of its own,
// named after the container as runc names it, instead of the one pocket
// inherited from its caller's login: otherwise the container reads the
// host's session keys (payloads included: a process possesses its session
// keyring) and what it adds outlives it there. This holds without a
// seccomp filter. It does not hide the user keyring of the container's
// uid, which the kernel keeps per user namespace: only a user namespace
// (rootless) or a filter on keyctl separates that.
func joinSessionKeyring(id string) error {
	ring, err := unix.KeyctlJoinSessionKeyring("_ses." + id)
	if errors.Is(err, unix.ENOSYS) {
		// A kernel without keys has nothing to share.
		return nil
	}
	if err != nil {
		return fmt.Errorf("join session keyring: %w", err)
	}
	// As runc: searchable by its owner, whatever uid the command takes.
	desc, err := unix.KeyctlString(unix.KEYCTL_DESCRIBE, ring)
	if err != nil {
		return fmt.Errorf("describe session keyring: %w", err)
	}
	// "type;uid;gid;perm;description"
	f := strings.Split(desc, ";")
	if len(f) < 5 {
		return fmt.Errorf("describe session keyring: unexpected %q", desc)
	}
	perm, err := strconv.ParseUint(f[3], 16, 32)
	if err != nil {
		return fmt.Errorf("describe session keyring: permissions %q: %w", f[3], err)
	}
	if err := unix.KeyctlSetperm(ring, uint32(perm)|keyUserSearch); err != nil {
		return fmt.Errorf("set session keyring permissions: %w", err)
	}
	return nil
}
