package run

import (
	"os"
	"path/filepath"

	"pocket/cgroup"
)

// cgroupRoot is where the host mounts its cgroup hierarchies.
const cgroupRoot = "/sys/fs/cgroup"

// cgroupMounts tells init which host directories hold this container's
// cgroup so it can show them at /sys/fs/cgroup, as Docker does: on v2 the
// cgroup namespace does it; on v1 each hierarchy's "pocket/<id>" directory.
func cgroupMounts(id string) map[string]string {
	if cgroup.Unified() {
		return map[string]string{"unified": ""}
	}
	entries, err := os.ReadDir(cgroupRoot)
	if err != nil {
		return nil
	}
	out := map[string]string{}
	for _, e := range entries {
		// Symlinks (cpu -> cpu,cpuacct) alias a hierarchy already listed.
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(cgroupRoot, e.Name(), "pocket", id)
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			out[e.Name()] = dir
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
