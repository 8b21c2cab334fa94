package store

import (
	"encoding/json"
	"os"
	"path/filepath"
)

// writeFile replaces path with data: written under tmp/, fsynced, renamed
// into place and the directory synced, so readers see the old or the new
// content and never a torn one.
func (s *Store) writeFile(path string, data []byte, mode os.FileMode) error {
	t, err := s.newTemp()
	if err != nil {
		return err
	}
	defer t.release()
	if err := writeSynced(t.path, data, mode); err != nil {
		return err
	}
	if err := os.Rename(t.path, path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

func (s *Store) writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "\t")
	if err != nil {
		return err
	}
	return s.writeFile(path, append(data, '\n'), 0o600)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// removeTree takes dir out of sight atomically (a rename into tmp/) and
// then deletes it, so no reader ever sees half a tree.
func (s *Store) removeTree(dir string) error {
	t, err := s.newTemp()
	if err != nil {
		return err
	}
	defer t.release()
	if err := os.Rename(dir, t.path); err != nil {
		return err
	}
	return os.RemoveAll(t.path)
}

// writeSynced creates path (which must not exist) with data, fsynced.
func writeSynced(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
