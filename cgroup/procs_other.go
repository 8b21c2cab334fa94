//go:build !linux

package cgroup

// Procs are the pids of every process in the cgroup.
func (c *Cgroup) Procs() ([]int, error) { return nil, errOS }
