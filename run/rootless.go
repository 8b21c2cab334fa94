package run

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/moby/sys/userns"
	"golang.org/x/sys/unix"

	"pocket/cgroup"
	"pocket/ns"
)

// Rootless pocket (see ns.EnterUserNS) is root in a user namespace of its
// own. The container shares that namespace; what changes is what the host
// still withholds: device nodes, overlay's trusted.* xattrs, and cgroups
// outside a subtree systemd delegated to the user.

// inUserNS sets what init must do differently inside a user namespace:
// bind-mount /dev nodes instead of making them, and mount overlay with
// userxattr, the form fs.ProcessOptions unpacked the layers in.
func inUserNS(c *ns.Config) {
	if userns.RunningInUserNS() {
		c.UserNS = true
		c.Rootfs.UserXattr = true
	}
}

// cgroupV2Mount is where the unified hierarchy is mounted.
const cgroupV2Mount = "/sys/fs/cgroup"

// cgroupParent is where a container's cgroup goes: the hierarchy's root
// as real root; for rootless pocket the delegated v2 subtree it may write,
// ok false when there is none (the container then runs without a cgroup).
func cgroupParent() (parent string, ok bool) {
	if !ns.Rootless() {
		return "", true
	}
	if !cgroup.Unified() {
		return "", false
	}
	self, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", false
	}
	return delegatedParent(self, func(group string) bool {
		return unix.Access(filepath.Join(cgroupV2Mount, group, "cgroup.subtree_control"), unix.W_OK) == nil
	})
}

// delegatedParent is the topmost cgroup, on the path from the root to the
// process's own v2 cgroup (from /proc/self/cgroup), whose subtree control
// the process may write: systemd's user@UID.service when it delegates to
// the user. Its own cgroup holds processes, so it cannot hold controllers
// for children (cgroup v2's no-internal-process rule).
func delegatedParent(procSelfCgroup []byte, writable func(group string) bool) (string, bool) {
	own := ""
	sc := bufio.NewScanner(bytes.NewReader(procSelfCgroup))
	for sc.Scan() {
		if g, ok := strings.CutPrefix(sc.Text(), "0::"); ok {
			own = path.Clean(g)
		}
	}
	if own == "" || own == "/" {
		return "", false
	}
	var found string
	for g := own; g != "/"; g = path.Dir(g) {
		if !writable(g) {
			break
		}
		found = g
	}
	return found, found != ""
}

// newCgroup creates the container's cgroup; it is nil (and no error) for
// rootless pocket without a delegated subtree when no limit was asked for.
func newCgroup(id string, r cgroup.Resources) (*cgroup.Cgroup, error) {
	parent, ok := cgroupParent()
	if !ok {
		return nil, checkRootlessResources(r)
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

// checkResources refuses, before anything is pulled or created, a limit
// Docker refuses or one that cannot be applied: rootless pocket without a
// delegated cgroup v2 subtree has nowhere to put it, and a limit is never
// silently ignored.
func checkResources(r cgroup.Resources) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if _, err := hostOverlay(); err != nil {
		return err
	}
	if _, ok := cgroupParent(); ok {
		return nil
	}
	return checkRootlessResources(r)
}

func checkRootlessResources(r cgroup.Resources) error {
	for _, f := range []struct {
		flag string
		set  bool
	}{
		{"--memory", r.Memory != 0},
		{"--memory-swap", r.MemorySwap != 0},
		{"--cpus", r.CPUs != 0},
		{"--cpu-shares", r.CPUShares != 0},
		{"--pids-limit", r.PidsLimit != 0},
	} {
		if f.set {
			return &noCgroupError{flag: f.flag}
		}
	}
	return nil
}

// noCgroupError names the limit rootless pocket cannot apply.
type noCgroupError struct{ flag string }

func (e *noCgroupError) Error() string {
	return fmt.Sprintf("%s needs a delegated cgroup v2 subtree, which rootless pocket does not have here "+
		"(hint: run pocket as root, or boot with cgroup v2 (systemd.unified_cgroup_hierarchy=1) and delegate "+
		"controllers to users with Delegate=yes in user@.service)", e.flag)
}

func (e *noCgroupError) Unwrap() error { return cgroup.ErrUnavailable }

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
