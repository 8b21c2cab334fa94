package run

import (
	"errors"

	"pocket/store"
)

// Rename is `pocket rename`: the store gives the new name under its lock
// (no two containers can get one name), and the container's config
// follows under the same lock.
func Rename(s *store.Store, oldName, newName string) error {
	if oldName == "" || newName == "" {
		return errors.New("Neither old nor new names may be empty")
	}
	c, err := load(s, oldName)
	if err != nil {
		return err
	}
	return s.RenameContainer(c.spec.ID, newName, func() error {
		unlock, err := s.Lock(specLock(c.spec.ID))
		if err != nil {
			return err
		}
		defer unlock()
		now, err := loadID(s, c.spec.ID)
		if err != nil {
			return err
		}
		now.spec.Name = newName
		if len(newName) > 0 && newName[0] == '/' {
			now.spec.Name = newName[1:]
		}
		return writeJSON(now.dir, specFile, &now.spec)
	})
}
