package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Container is the store's record of a container: what it needs for naming
// and to keep images, layers and volumes alive. run keeps its own files in
// ContainerDir.
type Container struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Image   v1.Hash   `json:"image"`
	Volumes []string  `json:"volumes,omitempty"`
	Created time.Time `json:"created"`
	// BuildStep marks a build step's container: its image is a build
	// cache state, not in the index; the build holds the store and the
	// cache entry keeps the layers.
	BuildStep bool `json:"buildStep,omitempty"`
}

const recordFile = "record.json"

var (
	// Docker's container and volume name rule (daemon/names).
	validName = nameChars{2}
	validID   = nameChars{1}
)

// CreateContainer reserves c.Name (ErrNameInUse if taken) and makes its
// directory. Callers hold Hold() while creating. c.Image must be in the
// index. An empty c.ID gets a random
// 64-hex ID and an empty c.Name a generated one, as Docker does; a leading
// "/" on the name is dropped. Created defaults to now.
func (s *Store) CreateContainer(c *Container) error {
	if c.ID == "" {
		c.ID = randomHex(32)
	}
	if !validID.MatchString(c.ID) {
		return fmt.Errorf("create container %q: invalid ID: %w", c.ID, ErrBadName)
	}
	c.Name = strings.TrimPrefix(c.Name, "/")
	if c.Name != "" && !validName.MatchString(c.Name) {
		return &conflictError{kind: ErrBadName, msg: fmt.Sprintf("invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", c.Name)}
	}
	if err := checkHash(c.Image); err != nil {
		return fmt.Errorf("create container %s: image: %w", c.ID, err)
	}
	// Under the caller's Hold no removal can run, so an image found here
	// stays until the record that protects it is written.
	ix, err := s.readIndex()
	if err != nil {
		return err
	}
	if ix.byID(c.Image) == nil && !c.BuildStep {
		return fmt.Errorf("create container %s: %w: %s", c.ID, ErrImageUnknown, c.Image)
	}
	if c.Created.IsZero() {
		c.Created = time.Now().UTC()
	}
	unlock, err := s.Lock("containers")
	if err != nil {
		return err
	}
	defer unlock()
	all, err := s.Containers()
	if err != nil {
		return err
	}
	taken := map[string]string{}
	for _, o := range all {
		if o.ID == c.ID {
			return fmt.Errorf("create container %s: %w: the ID is already in use", c.ID, ErrNameInUse)
		}
		taken[o.Name] = o.ID
	}
	if c.Name == "" {
		c.Name = randomName()
		for i := 0; taken[c.Name] != ""; i++ {
			c.Name = randomName() + strconv.Itoa(i)
		}
	}
	if id, ok := taken[c.Name]; ok {
		return &conflictError{kind: ErrNameInUse, msg: fmt.Sprintf(
			"conflict: the container name \"/%s\" is already in use by container %q. You have to remove (or rename) that container to be able to reuse that name", c.Name, id)}
	}

	// The directory appears whole, record included, or not at all.
	t, err := s.newTemp()
	if err != nil {
		return fmt.Errorf("create container %s: %w", c.ID, err)
	}
	defer t.release()
	if err := os.Mkdir(t.path, 0o711); err != nil {
		return fmt.Errorf("create container %s: %w", c.ID, err)
	}
	data, err := json.MarshalIndent(c, "", "\t")
	if err != nil {
		return err
	}
	if err := writeSynced(filepath.Join(t.path, recordFile), append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("create container %s: %w", c.ID, err)
	}
	if err := os.Rename(t.path, s.ContainerDir(c.ID)); err != nil {
		return fmt.Errorf("create container %s: %w", c.ID, err)
	}
	return syncDir(s.path("containers"))
}

// ContainerDir is where run keeps a container's files.
func (s *Store) ContainerDir(id string) string {
	if !validID.MatchString(id) {
		return ""
	}
	return s.path("containers", id)
}

// Containers lists all container records, newest first.
func (s *Store) Containers() ([]Container, error) {
	entries, err := os.ReadDir(s.path("containers"))
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	out := make([]Container, 0, len(entries))
	for _, e := range entries {
		data, err := os.ReadFile(s.path("containers", e.Name(), recordFile))
		if errors.Is(err, fs.ErrNotExist) {
			continue // not a container directory
		}
		if err != nil {
			return nil, fmt.Errorf("list containers: %w", err)
		}
		var c Container
		if err := json.Unmarshal(data, &c); err != nil {
			return nil, fmt.Errorf("read container %s: %w", e.Name(), err)
		}
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b Container) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// LookupContainer finds a container by full ID, unique ID prefix or name.
// Like Docker it tries the full ID, then the name, then a prefix.
func (s *Store) LookupContainer(idOrName string) (*Container, error) {
	all, err := s.Containers()
	if err != nil {
		return nil, err
	}
	if idOrName != "" {
		for i := range all {
			if all[i].ID == idOrName {
				return &all[i], nil
			}
		}
		n := strings.TrimPrefix(idOrName, "/")
		for i := range all {
			if all[i].Name == n {
				return &all[i], nil
			}
		}
		var found []*Container
		for i := range all {
			if strings.HasPrefix(all[i].ID, idOrName) {
				found = append(found, &all[i])
			}
		}
		switch len(found) {
		case 1:
			return found[0], nil
		case 0:
		default:
			return nil, fmt.Errorf("%w: %s matches %d containers (hint: give more of the ID)", ErrAmbiguous, idOrName, len(found))
		}
	}
	return nil, fmt.Errorf("%w: %s", ErrContainerUnknown, idOrName)
}

// RemoveContainer deletes the record and its directory. The directory is
// first renamed into tmp/, so no command ever sees half of it; anything
// mounted inside it must be unmounted first.
func (s *Store) RemoveContainer(id string) error {
	dir := s.ContainerDir(id)
	if dir == "" {
		return fmt.Errorf("%w: %s", ErrContainerUnknown, id)
	}
	unlock, err := s.Lock("containers")
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := os.Stat(filepath.Join(dir, recordFile)); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s", ErrContainerUnknown, id)
	}
	if err := s.removeTree(dir); err != nil {
		return fmt.Errorf("remove container %s: %w", id, err)
	}
	return nil
}

// conflictError carries Docker's exact wording and a sentinel for errors.Is
// where the sentinel's own text would not read well in the message.
type conflictError struct {
	kind error
	msg  string
}

func (e *conflictError) Error() string { return e.msg }
func (e *conflictError) Unwrap() error { return e.kind }

// RenameContainer gives container id the name newName, under the lock
// that CreateContainer names containers under, so that two names never
// collide; also, under that lock, calls also (run's own copy of the name).
func (s *Store) RenameContainer(id, newName string, also func() error) error {
	newName = strings.TrimPrefix(newName, "/")
	if !validName.MatchString(newName) {
		return &conflictError{kind: ErrBadName, msg: fmt.Sprintf("Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", newName)}
	}
	unlock, err := s.Lock("containers")
	if err != nil {
		return err
	}
	defer unlock()
	all, err := s.Containers()
	if err != nil {
		return err
	}
	var rec *Container
	for i := range all {
		if all[i].ID == id {
			rec = &all[i]
		}
	}
	if rec == nil {
		return fmt.Errorf("%w: %s", ErrContainerUnknown, id)
	}
	if rec.Name == newName {
		return &conflictError{kind: ErrNameInUse, msg: "Renaming a container with the same name as its current name"}
	}
	for _, o := range all {
		if o.Name == newName {
			return &conflictError{kind: ErrNameInUse, msg: fmt.Sprintf(
				"Error when allocating new name: Conflict. The container name \"/%s\" is already in use by container %q. You have to remove (or rename) that container to be able to reuse that name", newName, o.ID)}
		}
	}
	rec.Name = newName
	data, err := json.MarshalIndent(rec, "", "\t")
	if err != nil {
		return err
	}
	// Replaced whole: a reader sees the old record or the new one.
	dir := s.ContainerDir(id)
	tmp := filepath.Join(dir, "."+recordFile+".new")
	os.Remove(tmp)
	if err := writeSynced(tmp, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("rename container %s: %w", id, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, recordFile)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("rename container %s: %w", id, err)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("rename container %s: %w", id, err)
	}
	return also()
}
