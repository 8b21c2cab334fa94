package cgroup

// This file is the cgroup package's contract; bodies are filled in by the
// implementation.

import (
	"errors"
	"os"
)

var errTODO = errors.New("not implemented yet")

// Resources are the limits Docker's run flags express. Zero means unset.
type Resources struct {
	Memory     int64   // bytes (-m)
	MemorySwap int64   // bytes of memory+swap; -1 unlimited (--memory-swap)
	CPUs       float64 // --cpus
	CPUShares  uint64  // --cpu-shares
	PidsLimit  int64   // --pids-limit; -1 unlimited
}

// Cgroup is one container's cgroup.
type Cgroup struct {
	name string
}

// New creates the cgroup "pocket/<id>" under parent ("" for the root
// hierarchy; a delegated subtree for rootless) and applies r. A limit whose
// controller is missing or not writable fails with ErrNoController naming
// the flag; nothing is silently ignored.
func New(parent, id string, r Resources) (*Cgroup, error) { return nil, errTODO }

// Load opens an existing container cgroup.
func Load(parent, id string) (*Cgroup, error) { return nil, errTODO }

// Add moves a process into the cgroup (every hierarchy on v1).
func (c *Cgroup) Add(pid int) error { return errTODO }

// FD is the open cgroup v2 directory for SysProcAttr.UseCgroupFD; ok is
// false on v1/hybrid, where Add must be used before the child runs anything.
func (c *Cgroup) FD() (f *os.File, ok bool) { return nil, false }

// OOMKilled reports whether the kernel OOM killer acted in this cgroup.
func (c *Cgroup) OOMKilled() bool { return false }

// Delete removes the cgroup, killing nothing: callers end its processes first.
func (c *Cgroup) Delete() error { return errTODO }

// Unified reports whether the host runs the unified (v2-only) hierarchy;
// the container then also gets a cgroup namespace.
func Unified() bool { return false }
