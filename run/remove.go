package run

import (
	"errors"
	"fmt"
	"path/filepath"
	"syscall"

	pfs "pocket/fs"
	"pocket/network"
	"pocket/store"
)

// Remove deletes a container (force stops a running one first; volumes
// removes its anonymous volumes).
func Remove(s *store.Store, id string, force, volumes bool) error {
	reap()
	c, err := load(s, id)
	if err != nil {
		return err
	}
	if c.state.Status == statusRunning || c.state.Status == statusRestarting {
		if !force {
			return fmt.Errorf("cannot remove container %q: %w: stop the container before removing or force remove", id, ErrRunning)
		}
		// Not running by now is fine: the lock below waits for the end.
		requestContainer(s, c, controlRequest{Signal: int(syscall.SIGKILL), Stop: true})
		thaw(c)
		// The monitor records the end and releases its lock; with --rm it
		// removes the container itself.
		unlock, err := s.Lock(monitorLock(c.spec.ID))
		if err != nil {
			return err
		}
		defer unlock()
	}
	var anon []string
	if volumes {
		anon = anonymousVolumes(s, c.spec.ID)
	}
	if err := removeFiles(s, c.spec.ID); err != nil && !errors.Is(err, store.ErrContainerUnknown) {
		return err
	}
	return removeVolumes(s, anon)
}

// removeFiles deletes what is left of a stopped container: cgroup
// remnants (a monitor killed before cleaning up), record and directory.
func removeFiles(s *store.Store, id string) error {
	if cg, err := loadCgroup(id); err == nil && cg != nil {
		cg.Delete()
	}
	unmountShm(s, id)
	if dir, ok := bridgeState(); ok {
		if err := network.Teardown(dir, owner(s, id)); err != nil {
			return err
		}
	}
	return s.RemoveContainer(id)
}

// Prune removes the stopped containers f selects and returns their IDs
// and the bytes their writable layers held (Docker's SizeRw total).
func Prune(s *store.Store, f PruneFilter) ([]string, int64, error) {
	reap()
	recs, err := s.Containers()
	if err != nil {
		return nil, 0, err
	}
	var ids []string
	var freed int64
	var errs []error
	for _, r := range recs {
		c, err := loadID(s, r.ID)
		if err == nil && (c.state.Status == statusRunning || c.state.Status == statusRestarting) {
			continue
		}
		var labels map[string]string
		if err == nil {
			labels = c.spec.Labels
		}
		if !f.Match(r.Created, labels) {
			continue
		}
		n, _ := pfs.Size(filepath.Join(s.ContainerDir(r.ID), "upper"))
		if err := removeFiles(s, r.ID); err != nil {
			if !errors.Is(err, store.ErrContainerUnknown) {
				errs = append(errs, err)
			}
			continue
		}
		ids = append(ids, r.ID)
		freed += n
	}
	return ids, freed, errors.Join(errs...)
}
