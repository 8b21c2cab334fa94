package cgroup

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// Procs are the pids of every process in the cgroup (cgroup.procs, as
// the kernel lists them in this pid namespace).
func (c *Cgroup) Procs() ([]int, error) {
	if len(c.dirs) == 0 {
		return nil, fmt.Errorf("cgroup %s: %w", c.group, ErrUnavailable)
	}
	f, err := os.Open(filepath.Join(c.dirs[0], "cgroup.procs"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var pids []int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if pid, err := strconv.Atoi(sc.Text()); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids, sc.Err()
}
