package ns

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/sys/unix"
)

// mountCgroups makes the container's own cgroup visible at /sys/fs/cgroup,
// read-only, so limits can be read inside (Docker's layout).
func (r *root) mountCgroups(cgroups map[string]string) error {
	if len(cgroups) == 0 {
		return nil
	}
	const nsd = unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV
	if _, ok := cgroups["unified"]; ok && len(cgroups) == 1 {
		// cgroup v2: mounted inside the cgroup namespace, the container's
		// cgroup is the root of what it sees.
		return r.mount("cgroup2", "/sys/fs/cgroup", "cgroup2", nsd|unix.MS_RDONLY, "", kindSystem)
	}
	if err := r.mount("tmpfs", "/sys/fs/cgroup", "tmpfs", nsd, "mode=755", kindSystem); err != nil {
		return err
	}
	names := make([]string, 0, len(cgroups))
	for name := range cgroups {
		if name == "" || strings.ContainsAny(name, "/") || name == "." || name == ".." {
			return fmt.Errorf("mount cgroup: bad controller name %q", name)
		}
		names = append(names, name)
	}
	slices.Sort(names)
	attrs := uint64(unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NOEXEC | unix.MOUNT_ATTR_NODEV)
	for _, name := range names {
		if err := r.bind(cgroups[name], "/sys/fs/cgroup/"+name, kindSystem, attrs); err != nil {
			return fmt.Errorf("mount cgroup %s: %w", name, err)
		}
	}
	h, err := r.open("/sys/fs/cgroup", kindSystem)
	if err != nil {
		return fmt.Errorf("mount cgroup: %w", err)
	}
	defer h.Close()
	// Co-mounted controllers ("cpu,cpuacct") are also reachable by each name.
	for _, name := range names {
		for _, alias := range strings.Split(name, ",") {
			if alias == name || cgroups[alias] != "" {
				continue
			}
			if err := unix.Symlinkat(name, int(h.Fd()), alias); err != nil {
				return fmt.Errorf("mount cgroup: link %s: %w", alias, err)
			}
		}
	}
	// Read-only, submounts included (they are already).
	return r.setattr("/sys/fs/cgroup", kindSystem, attrs)
}
