package cgroup

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// Freeze stops every process of the cgroup with the freezer (v1's
// freezer.state, v2's cgroup.freeze): unlike SIGSTOP, the processes can
// neither see nor catch it. It returns once they are frozen.
func (c *Cgroup) Freeze() error {
	if c.freezer == "" {
		return fmt.Errorf("freeze cgroup %s: %w: no freezer (hint: mount the freezer hierarchy under %s)", c.group, ErrNoController, mountpoint)
	}
	var err error
	if c.v2 != nil {
		err = c.v2.Freeze()
	} else {
		err = c.v1.Freeze()
	}
	if err != nil {
		return fmt.Errorf("freeze cgroup %s: %w", c.group, err)
	}
	return nil
}

// Thaw lets the processes of a frozen cgroup run again.
func (c *Cgroup) Thaw() error {
	if c.freezer == "" {
		return nil
	}
	var err error
	if c.v2 != nil {
		err = c.v2.Thaw()
	} else {
		err = c.v1.Thaw()
	}
	if err != nil {
		return fmt.Errorf("thaw cgroup %s: %w", c.group, err)
	}
	return nil
}

// Frozen reports whether the cgroup is frozen (or freezing): the one
// answer to "is this container paused?", read from the kernel rather
// than recorded, so that it cannot go stale.
func (c *Cgroup) Frozen() bool {
	if c.freezer == "" {
		return false
	}
	if c.v2 != nil {
		b, err := os.ReadFile(filepath.Join(c.freezer, "cgroup.freeze"))
		return err == nil && bytes.Equal(bytes.TrimSpace(b), []byte("1"))
	}
	b, err := os.ReadFile(filepath.Join(c.freezer, "freezer.state"))
	return err == nil && !bytes.Equal(bytes.TrimSpace(b), []byte("THAWED"))
}
