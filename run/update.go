package run

import (
	"errors"
	"fmt"
	"os"

	"pocket/cgroup"
	"pocket/plan"
	"pocket/store"
)

// UpdateOptions are `pocket update`'s flags; nil is "not given".
type UpdateOptions struct {
	Memory      *int64
	MemorySwap  *int64
	CPUs        *float64
	CPUShares   *uint64
	CPUPeriod   *int64
	CPUQuota    *int64
	CpusetCpus  *string
	CpusetMems  *string
	PidsLimit   *int64
	BlkioWeight *uint16
	// Restart is --restart, parsed (plan.ParseRestart).
	Restart *plan.RestartPolicy
}

// errUpdateRestart is Docker's refusal to give a --rm container a restart
// policy: the two contradict each other at the container's exit.
var errUpdateRestart = errors.New("Restart policy cannot be updated because AutoRemove is enabled for the container")

// errUpdateMemory is Docker's refusal to raise -m past the recorded
// --memory-swap alone.
var errUpdateMemory = errors.New("Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time")

// Apply puts the limits given in u over r: `update`'s merge, and `run`'s
// cgroup limit flags, which are parsed as update's.
func (u UpdateOptions) Apply(r *cgroup.Resources) {
	set := func(dst *int64, v *int64) {
		if v != nil {
			*dst = *v
		}
	}
	set(&r.Memory, u.Memory)
	set(&r.MemorySwap, u.MemorySwap)
	set(&r.CPUPeriod, u.CPUPeriod)
	set(&r.CPUQuota, u.CPUQuota)
	set(&r.PidsLimit, u.PidsLimit)
	if u.CPUs != nil {
		r.CPUs = *u.CPUs
	}
	if u.CPUShares != nil {
		r.CPUShares = *u.CPUShares
	}
	if u.CpusetCpus != nil {
		r.CpusetCpus = *u.CpusetCpus
	}
	if u.CpusetMems != nil {
		r.CpusetMems = *u.CpusetMems
	}
	if u.BlkioWeight != nil {
		r.BlkioWeight = *u.BlkioWeight
	}
}

// merge is r with the flags given applied, as Docker's daemon merges an
// update into a container's HostConfig.
func (u UpdateOptions) merge(r cgroup.Resources) (cgroup.Resources, error) {
	if u.Memory != nil && u.MemorySwap == nil && r.MemorySwap > 0 && *u.Memory > r.MemorySwap {
		return r, errUpdateMemory
	}
	u.Apply(&r)
	return r, r.Validate()
}

// Update changes a container's limits and restart policy: its record, so
// that inspect (and its next start) show them, and, while it runs, its
// cgroup; its monitor reads the restart policy from the record at each
// exit. The cgroup is changed first: a limit the kernel refuses leaves the
// record as it was. The record is read and written under the container's
// spec lock, so that two updates (or an update and a rename) at once do
// not lose one another's change.
func Update(s *store.Store, idOrName string, u UpdateOptions) error {
	rec, err := s.LookupContainer(idOrName)
	if err != nil {
		return err
	}
	unlock, err := s.Lock(specLock(rec.ID))
	if err != nil {
		return err
	}
	defer unlock()
	c, err := loadID(s, rec.ID)
	if err != nil {
		return err
	}
	if u.Restart != nil {
		if c.spec.AutoRemove && u.Restart.Name != plan.RestartNo {
			return fmt.Errorf("Cannot update container %s: %w", idOrName, errUpdateRestart)
		}
		c.spec.RestartPolicy = *u.Restart
	}
	r, err := u.merge(c.spec.Resources)
	if err != nil {
		return fmt.Errorf("Cannot update container %s: %w", idOrName, err)
	}
	if c.state.Status == statusRunning {
		cg, err := loadCgroup(c.spec.ID)
		switch {
		case errors.Is(err, os.ErrNotExist):
			// Rootless without a delegated subtree: no cgroup to change,
			// and a limit is never silently dropped.
			if err := cgroup.Unlimited(r); err != nil {
				return fmt.Errorf("Cannot update container %s: %w", idOrName, err)
			}
		case err != nil:
			return fmt.Errorf("Cannot update container %s: %w", idOrName, err)
		default:
			if err := cg.Update(r); err != nil {
				return fmt.Errorf("Cannot update container %s: %w", idOrName, err)
			}
		}
	}
	c.spec.Resources = r
	return writeJSON(c.dir, specFile, &c.spec)
}
