package cgroup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/containerd/cgroups/v3/cgroup2"
)

// v2Root is the unified hierarchy's mount; tests point it at the hybrid
// mount (/sys/fs/cgroup/unified) to exercise v2 on a v1 host.
var v2Root = mountpoint

// newV2 creates group below parent on the unified hierarchy. Controllers
// are enabled only from parent down (parent's and pocket's
// cgroup.subtree_control): a rootless parent is a delegated subtree, and
// what lies above it belongs to systemd.
func newV2(parent, group string, r Resources) (*Cgroup, error) {
	base := filepath.Join(v2Root, filepath.Join("/", parent))
	raw, err := os.ReadFile(filepath.Join(base, "cgroup.controllers"))
	if err != nil {
		return nil, fmt.Errorf("parent cgroup: %w", err)
	}
	avail := strings.Fields(string(raw))
	needs := r.needs(true)
	var enable []string
	for _, n := range needs {
		if !slices.Contains(avail, n.controller) {
			return nil, fmt.Errorf("%s: %s controller: %w (hint: %s)", n.flag, n.controller, ErrNoController, delegateHint(base, n.controller))
		}
		enable = append(enable, n.controller)
	}
	// Accounting without limits, as runc enables every controller the
	// parent offers: memory for OOMKilled's memory.events and stats,
	// pids and io for stats' PIDS and BLOCK I/O (without them pids.current
	// and io.stat do not exist, and a container that asked for no limit
	// showed 0 PIDS on a fresh v2 host).
	for _, c := range []string{"memory", "pids", "io"} {
		if slices.Contains(avail, c) {
			enable = append(enable, c)
		}
	}
	slices.Sort(enable)
	enable = slices.Compact(enable)

	dir := filepath.Join(v2Root, group)
	if exists(dir) {
		return nil, fmt.Errorf("%s: %w", dir, fs.ErrExist)
	}
	// The manager is rooted at parent so it writes subtree_control only
	// there and in pocket/, never above (see above).
	rel := strings.TrimPrefix(dir, base)
	m, err := cgroup2.NewManager(base, rel, controllers(enable))
	if err == nil && slices.Contains(enable, "cpuset") {
		// containerd enables cpuset only along with a cpu list to write.
		err = m.ToggleControllers([]string{"cpuset"}, cgroup2.Enable)
	}
	if err != nil {
		return nil, fmt.Errorf("enable controllers %s below %s: %w (hint: %s)", strings.Join(enable, " "), base, err,
			"a cgroup with processes cannot enable controllers for children; pass an empty delegated parent")
	}
	c := &Cgroup{group: group, dirs: []string{dir}, v2: m, freezer: dir}
	if slices.Contains(enable, "memory") {
		c.memory = dir
	}
	for _, n := range needs {
		if !n.present(dir) {
			return nil, errors.Join(n.missing(), c.Delete())
		}
	}
	swap := exists(filepath.Join(dir, "memory.swap.max"))
	if err := m.Update(r.v2(swap)); err != nil {
		return nil, errors.Join(fmt.Errorf("set limits: %w", err), c.Delete())
	}
	if err := r.writeWeights(dir, true); err != nil {
		return nil, errors.Join(err, c.Delete())
	}
	return c, nil
}

func loadV2(parent, group string) (*Cgroup, error) {
	base := filepath.Join(v2Root, filepath.Join("/", parent))
	dir := filepath.Join(v2Root, group)
	if _, err := os.Stat(dir); err != nil {
		return nil, err
	}
	m, err := cgroup2.Load(strings.TrimPrefix(dir, base), cgroup2.WithMountpoint(base))
	if err != nil {
		return nil, err
	}
	c := &Cgroup{group: group, dirs: []string{dir}, v2: m, freezer: dir}
	if exists(filepath.Join(dir, "memory.events")) {
		c.memory = dir
	}
	return c, nil
}

// controllers is an empty cgroup2.Resources that makes containerd enable
// exactly the named controllers and write nothing yet.
func controllers(names []string) *cgroup2.Resources {
	var r cgroup2.Resources
	for _, n := range names {
		switch n {
		case "memory":
			r.Memory = &cgroup2.Memory{}
		case "cpu":
			r.CPU = &cgroup2.CPU{}
		case "pids":
			r.Pids = &cgroup2.Pids{}
		case "io":
			r.IO = &cgroup2.IO{}
		}
	}
	return &r
}

func delegateHint(base, controller string) string {
	if base == v2Root {
		return fmt.Sprintf("the kernel offers no %s controller in %s/cgroup.controllers", controller, base)
	}
	return fmt.Sprintf("%s is not delegated to %s; for rootless, set Delegate=cpu cpuset io memory pids for user@.service (systemctl edit user@.service) and log in again", controller, base)
}
