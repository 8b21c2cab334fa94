//go:build !linux

package cgroup

import (
	"fmt"
	"os"
	"runtime"
)

// Cgroup is one container's cgroup; there are none outside Linux.
type Cgroup struct{}

var errOS = fmt.Errorf("%s: %w", runtime.GOOS, ErrUnavailable)

// New fails with ErrUnavailable: cgroups are a Linux feature.
func New(parent, id string, r Resources) (*Cgroup, error) { return nil, errOS }

// Load fails with ErrUnavailable: cgroups are a Linux feature.
func Load(parent, id string) (*Cgroup, error) { return nil, errOS }

// Add fails with ErrUnavailable.
func (c *Cgroup) Add(pid int) error { return errOS }

// FD is never available.
func (c *Cgroup) FD() (f *os.File, ok bool) { return nil, false }

// OOMKilled is always false.
func (c *Cgroup) OOMKilled() bool { return false }

// Delete fails with ErrUnavailable.
func (c *Cgroup) Delete() error { return errOS }

// Unified is always false.
func Unified() bool { return false }

// Freeze fails with ErrUnavailable.
func (c *Cgroup) Freeze() error { return errOS }

// Thaw fails with ErrUnavailable.
func (c *Cgroup) Thaw() error { return errOS }

// Frozen is always false.
func (c *Cgroup) Frozen() bool { return false }

// Update fails with ErrUnavailable.
func (c *Cgroup) Update(r Resources) error { return errOS }

// Stats needs Linux.
func (c *Cgroup) Stats() (Stats, error) { return Stats{}, errOS }

// SystemCPU needs Linux.
func SystemCPU() (uint64, int, error) { return 0, 0, errOS }

// MemTotal needs Linux.
func MemTotal() uint64 { return 0 }
