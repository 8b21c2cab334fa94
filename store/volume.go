package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	pfs "pocket/fs"
)

// Volume is a named or anonymous volume: a directory containers mount.
type Volume struct {
	Name       string            `json:"name"`
	Mountpoint string            `json:"mountpoint"`
	CreatedAt  time.Time         `json:"createdAt"`
	Anonymous  bool              `json:"anonymous"`
	Labels     map[string]string `json:"labels,omitempty"`
}

const volumeFile = "volume.json"

func (s *Store) volumeDir(n string) string { return s.path("volumes", n) }

// CreateVolume makes a volume, or returns the existing one of that name.
// An empty name gets a random 64-hex name, as Docker's anonymous volumes do.
func (s *Store) CreateVolume(name string, anonymous bool) (*Volume, error) {
	if name == "" {
		name = randomHex(32)
	}
	if !validName.MatchString(name) {
		return nil, &conflictError{kind: ErrBadName, msg: fmt.Sprintf("create volume %s: %q includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed (hint: use an absolute path to bind-mount a host directory)", name, name)}
	}
	unlock, err := s.Lock("volumes")
	if err != nil {
		return nil, err
	}
	defer unlock()
	if v, err := s.Volume(name); err == nil {
		return v, nil
	} else if !errors.Is(err, ErrVolumeUnknown) {
		return nil, err
	}
	v := &Volume{Name: name, CreatedAt: time.Now().UTC(), Anonymous: anonymous}
	t, err := s.newTemp()
	if err != nil {
		return nil, fmt.Errorf("create volume %s: %w", name, err)
	}
	defer t.release()
	if err := os.Mkdir(t.path, 0o711); err != nil {
		return nil, fmt.Errorf("create volume %s: %w", name, err)
	}
	// Like Docker's local driver, _data is world-traversable: the
	// container's user is not necessarily root.
	if err := os.Mkdir(filepath.Join(t.path, "_data"), 0o755); err != nil {
		return nil, fmt.Errorf("create volume %s: %w", name, err)
	}
	data, err := json.MarshalIndent(v, "", "\t")
	if err != nil {
		return nil, err
	}
	if err := writeSynced(filepath.Join(t.path, volumeFile), append(data, '\n'), 0o600); err != nil {
		return nil, fmt.Errorf("create volume %s: %w", name, err)
	}
	if err := os.Rename(t.path, s.volumeDir(name)); err != nil {
		return nil, fmt.Errorf("create volume %s: %w", name, err)
	}
	if err := syncDir(s.path("volumes")); err != nil {
		return nil, fmt.Errorf("create volume %s: %w", name, err)
	}
	v.Mountpoint = filepath.Join(s.volumeDir(name), "_data")
	return v, nil
}

// Volume reads one volume's record.
func (s *Store) Volume(name string) (*Volume, error) {
	if !validName.MatchString(name) {
		return nil, fmt.Errorf("%w: %s", ErrVolumeUnknown, name)
	}
	data, err := os.ReadFile(filepath.Join(s.volumeDir(name), volumeFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrVolumeUnknown, name)
	}
	if err != nil {
		return nil, fmt.Errorf("read volume %s: %w", name, err)
	}
	var v Volume
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("read volume %s: %w", name, err)
	}
	v.Name = name
	v.Mountpoint = filepath.Join(s.volumeDir(name), "_data")
	return &v, nil
}

// Volumes lists all volumes by name.
func (s *Store) Volumes() ([]Volume, error) {
	entries, err := os.ReadDir(s.path("volumes"))
	if err != nil {
		return nil, fmt.Errorf("list volumes: %w", err)
	}
	var out []Volume
	for _, e := range entries {
		v, err := s.Volume(e.Name())
		if errors.Is(err, ErrVolumeUnknown) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	slices.SortFunc(out, func(a, b Volume) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// volumeUsers maps each volume name to the IDs of containers referencing it.
func (s *Store) volumeUsers() (map[string][]string, error) {
	cs, err := s.Containers()
	if err != nil {
		return nil, err
	}
	users := map[string][]string{}
	for _, c := range cs {
		for _, v := range c.Volumes {
			users[v] = append(users[v], c.ID)
		}
	}
	return users, nil
}

// RemoveVolume deletes a volume and its data. It is refused with
// ErrVolumeInUse while a container record references it, unless force;
// force also makes a missing volume no error, as "docker volume rm -f".
func (s *Store) RemoveVolume(name string, force bool) error {
	unlockGC, err := s.exclusiveGC()
	if err != nil {
		return err
	}
	defer unlockGC()
	unlock, err := s.Lock("volumes")
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := s.Volume(name); err != nil {
		if force && errors.Is(err, ErrVolumeUnknown) {
			return nil
		}
		return err
	}
	if !force {
		users, err := s.volumeUsers()
		if err != nil {
			return err
		}
		if ids := users[name]; len(ids) > 0 {
			for i := range ids {
				ids[i] = short(ids[i])
			}
			return fmt.Errorf("remove volume %s: %w - [%s] (hint: remove the containers first)", name, ErrVolumeInUse, strings.Join(ids, ", "))
		}
	}
	if err := s.removeTree(s.volumeDir(name)); err != nil {
		return fmt.Errorf("remove volume %s: %w", name, err)
	}
	return nil
}

// PruneVolumes removes volumes no container references: anonymous ones, or
// every one with all (Docker 23+), of those match selects (all when nil).
// It returns their names and bytes freed.
func (s *Store) PruneVolumes(all bool, match func(*Volume) bool) ([]string, int64, error) {
	unlockGC, err := s.exclusiveGC()
	if err != nil {
		return nil, 0, err
	}
	defer unlockGC()
	unlock, err := s.Lock("volumes")
	if err != nil {
		return nil, 0, err
	}
	defer unlock()
	users, err := s.volumeUsers()
	if err != nil {
		return nil, 0, err
	}
	vols, err := s.Volumes()
	if err != nil {
		return nil, 0, err
	}
	var names []string
	var freed int64
	for _, v := range vols {
		if len(users[v.Name]) > 0 || (!all && !v.Anonymous) || (match != nil && !match(&v)) {
			continue
		}
		n, _ := pfs.Size(v.Mountpoint)
		if err := s.removeTree(s.volumeDir(v.Name)); err != nil {
			return names, freed, fmt.Errorf("prune volume %s: %w", v.Name, err)
		}
		names = append(names, v.Name)
		freed += n
	}
	return names, freed, nil
}

// volumeLock names the flock that says who uses a volume: every running
// container holds it shared, filling a fresh volume holds it exclusively.
func volumeLock(name string) string { return "volume-" + name }

// UseVolume marks a volume in use by a running container until release
// is called. It waits while the volume is being filled.
func (s *Store) UseVolume(name string) (release func(), err error) {
	f, err := s.lock(volumeLock(name), shared, true)
	if err != nil {
		return func() {}, err
	}
	return unlocker(f), nil
}

// FillVolume takes a volume for filling with an image's content. ok is
// false, without waiting, while a running container uses the volume: its
// content is that container's to change, and a directory it swaps for a
// symlink mid-copy must never redirect the copy.
func (s *Store) FillVolume(name string) (release func(), ok bool, err error) {
	f, err := s.lock(volumeLock(name), exclusive, false)
	if err != nil || f == nil {
		return func() {}, false, err
	}
	return unlocker(f), true, nil
}
