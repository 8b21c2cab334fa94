package run

import (
	"os"

	"pocket/cgroup"
	"pocket/privilege"
)

// Rootless pocket (see ns.EnterUserNS) is root in a user namespace of its
// own. The container shares that namespace; what changes is what the host
// still withholds: device nodes, overlay's trusted.* xattrs, and cgroups
// outside a subtree systemd delegated to the user (see plan.Host, which
// the rest is decided by).

// cgroupParent is where a container's cgroup goes (cgroup.Parent), asked
// with the one answer to "rootless?".
func cgroupParent() (parent string, ok bool) {
	return cgroup.Parent(privilege.Rootless())
}

// newCgroup creates the container's cgroup; it is nil (and no error) for
// rootless pocket without a delegated subtree when no limit was asked for.
func newCgroup(id string, r cgroup.Resources) (*cgroup.Cgroup, error) {
	parent, ok := cgroupParent()
	if !ok {
		return nil, cgroup.Unlimited(r)
	}
	return cgroup.New(parent, id, r)
}

// loadCgroup opens a container's cgroup, if it has one.
func loadCgroup(id string) (*cgroup.Cgroup, error) {
	parent, ok := cgroupParent()
	if !ok {
		return nil, os.ErrNotExist
	}
	return cgroup.Load(parent, id)
}

// deleteCgroup removes cg, if the container has one.
func deleteCgroup(cg *cgroup.Cgroup) error {
	if cg == nil {
		return nil
	}
	return cg.Delete()
}

// cgroupFD is cg's directory for CLONE_INTO_CGROUP, if it has one.
func cgroupFD(cg *cgroup.Cgroup) (*os.File, bool) {
	if cg == nil {
		return nil, false
	}
	return cg.FD()
}
