package run

import (
	"errors"

	"pocket/network"
	"pocket/store"
)

// Reap reclaims what containers whose monitor died (SIGKILL, crash) still
// hold: their cgroup, bridge address and port rules, and records them
// exited. Every command that opens a store calls it, so it must cost
// nothing when nothing died: one read of the store's small directory of
// running containers and one flock per running container. What fails is
// retried by the next command.
func Reap(s *store.Store) {
	ids, err := s.Running()
	if err != nil {
		return
	}
	for _, id := range ids {
		// Held, the lock also keeps a concurrent Reap or rm out.
		unlock, ok, err := s.TryLock(monitorLock(id))
		if err != nil || !ok {
			continue
		}
		if reclaim(s, id) == nil {
			s.UnmarkRunning(id)
		}
		unlock()
	}
}

// reclaim releases a dead monitor's container; its caller holds the
// monitor lock.
func reclaim(s *store.Store, id string) error {
	var errs []error
	if cg, err := loadCgroup(id); err == nil && cg != nil {
		errs = append(errs, cg.Delete())
	}
	if dir, ok := bridgeState(); ok {
		errs = append(errs, network.Teardown(dir, owner(s, id)))
	}
	c := &container{dir: s.ContainerDir(id)}
	// "created" too: the monitor marks the container running before it
	// starts it, and records "running" only once the command has been
	// exec'd, by which time the command may already have run. A monitor
	// killed in between left a container that ran, not one that never
	// started.
	if err := readJSON(c.dir, stateFile, &c.state); err == nil && (c.state.Status == statusRunning || c.state.Status == statusCreated || c.state.Status == statusRestarting) {
		c.state.monitorDied()
		errs = append(errs, c.writeState())
	}
	return errors.Join(errs...)
}
