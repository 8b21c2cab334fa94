package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// MarkRunning records that a monitor has taken charge of container id.
// The mark outlives a monitor killed before it could clean up, so that
// the next command finds, in one small directory, the containers whose
// cgroup, address and port rules must be reclaimed (Running).
func (s *Store) MarkRunning(id string) error {
	if !validID.MatchString(id) {
		return fmt.Errorf("mark container %q running: invalid ID: %w", id, ErrBadName)
	}
	f, err := os.OpenFile(s.path("running", id), os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("mark container %s running: %w", id, err)
	}
	return f.Close()
}

// UnmarkRunning drops the mark once what the container held is released.
func (s *Store) UnmarkRunning(id string) error {
	if !validID.MatchString(id) {
		return fmt.Errorf("unmark container %q: invalid ID: %w", id, ErrBadName)
	}
	if err := os.Remove(s.path("running", id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("unmark container %s: %w", id, err)
	}
	return nil
}

// Running lists the containers marked running: those a monitor runs, and
// those whose monitor died.
func (s *Store) Running() ([]string, error) {
	entries, err := os.ReadDir(s.path("running"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list running containers: %w", err)
	}
	var ids []string
	for _, e := range entries {
		if validID.MatchString(e.Name()) {
			ids = append(ids, e.Name())
		}
	}
	return ids, nil
}
