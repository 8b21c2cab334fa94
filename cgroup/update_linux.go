package cgroup

import (
	"fmt"
	"path/filepath"

	"github.com/containerd/cgroups/v3/cgroup1"
	"github.com/containerd/cgroups/v3/cgroup2"
)

// Update applies r, the container's complete new limits (`pocket update`
// merges the flags it is given into the recorded ones), to a live cgroup.
// The device rules are left as they are: rewriting them starts with
// "deny all", which a running container would see as a window of EPERM.
func (c *Cgroup) Update(r Resources) error {
	if err := r.Validate(); err != nil {
		return err
	}
	r.Devices = nil
	if err := c.update(r); err != nil {
		return fmt.Errorf("update cgroup %s: %w", c.group, err)
	}
	return nil
}

func (c *Cgroup) update(r Resources) error {
	if c.v2 != nil {
		dir := c.dirs[0]
		var enable []string
		for _, n := range r.needs(true) {
			enable = append(enable, n.controller)
		}
		// A controller the container was created without is enabled now
		// (in the parents' subtree_control, as at creation).
		if len(enable) > 0 {
			if err := c.v2.ToggleControllers(enable, cgroup2.Enable); err != nil {
				return fmt.Errorf("enable controllers: %w", err)
			}
		}
		for _, n := range r.needs(true) {
			if !n.present(dir) {
				return n.missing()
			}
		}
		if err := c.v2.Update(r.v2(exists(filepath.Join(dir, "memory.swap.max")))); err != nil {
			return err
		}
		return r.writeWeights(dir, true)
	}
	hs, err := hierarchies()
	if err != nil {
		return err
	}
	byName := map[cgroup1.Name]pather{}
	for _, h := range hs {
		byName[h.Name()] = h
	}
	for _, n := range r.needs(false) {
		h := byName[cgroup1.Name(n.controller)]
		if h == nil || !n.present(h.Path(c.group)) {
			return n.missing()
		}
	}
	swap := c.memory != "" && exists(filepath.Join(c.memory, "memory.memsw.limit_in_bytes"))
	if err := c.v1.Update(r.spec(swap)); err != nil {
		return err
	}
	if blkio := byName[cgroup1.Blkio]; blkio != nil {
		return r.writeWeights(blkio.Path(c.group), false)
	}
	return nil
}
