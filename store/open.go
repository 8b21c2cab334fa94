package store

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Store is one pocket root directory.
type Store struct {
	root string
}

// Open prepares root (creating its layout) and removes stale temporaries
// that no live process holds. It runs on every command, so when tmp/ is
// empty it costs a handful of mkdir calls and one readdir.
func Open(root string) (*Store, error) {
	if root == "" {
		return nil, errors.New("open store: empty root directory (hint: set --root)")
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", root, err)
	}
	s := &Store{root: abs}
	// The root is traversable (not readable) by others when we run as root,
	// so that user-namespaced containers can reach their layers, as
	// /var/lib/docker is 0711.
	shared := os.FileMode(0o700)
	if os.Geteuid() == 0 {
		shared = 0o711
	}
	// Layers and containers are made in tmp/ and renamed into place, each
	// a tree of its own: their parents are spread (see spread).
	dirs := []struct {
		path   string
		mode   os.FileMode
		spread bool
	}{
		{"", shared, false},
		{"blobs", 0o700, false},
		{"blobs/sha256", 0o700, false},
		{"layers", shared, true},
		{"containers", shared, true},
		{"running", 0o700, false},
		{"volumes", shared, true},
		{"locks", 0o700, false},
		{"tmp", 0o700, true},
	}
	for _, d := range dirs {
		p := filepath.Join(abs, d.path)
		err := os.Mkdir(p, d.mode)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			if d.path == "" && errors.Is(err, fs.ErrNotExist) {
				err = os.MkdirAll(p, d.mode)
			}
			if err != nil {
				return nil, fmt.Errorf("open store %s: %w", abs, err)
			}
		}
		if err == nil && d.spread {
			spread(p)
		}
	}
	if err := s.cleanTmp(); err != nil {
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}
	return s, nil
}

// Root is the store's directory.
func (s *Store) Root() string { return s.root }

// InitDir is where pocket keeps the binary of its container init
// (ns.SealedExe), made by the first container start that needs it.
func (s *Store) InitDir() string { return filepath.Join(s.root, "bin") }

func (s *Store) path(elem ...string) string {
	return filepath.Join(append([]string{s.root}, elem...)...)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b)
}

// temp is a work-in-progress object tmp/<random>, guarded by the flock on
// its sibling tmp/<random>.lock for as long as its creator lives.
type temp struct {
	path string
	lock *os.File
}

// newTemp reserves a fresh temporary path (nothing is created at it).
func (s *Store) newTemp() (*temp, error) {
	for {
		p := s.path("tmp", randomHex(16))
		f, err := lockFile(p+".lock", exclusive, true)
		if err != nil {
			return nil, err
		}
		if f == nil {
			continue // someone else's (astronomically unlikely); pick again
		}
		return &temp{path: p, lock: f}, nil
	}
}

// release removes whatever is left at the temporary path, then its lock.
// The order matters: an object never exists without its lock file.
func (t *temp) release() {
	os.RemoveAll(t.path)
	os.Remove(t.path + ".lock")
	t.lock.Close()
}

// cleanTmp removes temporaries whose creator is gone: their lock is free.
func (s *Store) cleanTmp() error {
	dir := s.path("tmp")
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil || len(names) == 0 {
		return err
	}
	seen := map[string]bool{}
	for _, n := range names {
		seen[strings.TrimSuffix(n, ".lock")] = true
	}
	for base := range seen {
		p := filepath.Join(dir, base)
		f, err := lockFile(p+".lock", exclusive, false)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				// An object is only created after its lock file and is
				// removed before it, so a lockless object is debris.
				os.RemoveAll(p)
				continue
			}
			return err
		}
		if f == nil {
			continue // alive
		}
		(&temp{path: p, lock: f}).release()
	}
	return nil
}

// TempFile creates an empty file under the store's tmp/ for work too big
// for memory (a layer compressed for a push): on the store's disk, not a
// tmpfs, and removed by the next Open if its creator is killed. release
// closes and removes it.
func (s *Store) TempFile() (f *os.File, release func(), err error) {
	t, err := s.newTemp()
	if err != nil {
		return nil, nil, err
	}
	f, err = os.OpenFile(t.path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.release()
		return nil, nil, err
	}
	return f, func() { f.Close(); t.release() }, nil
}

// TempDir makes a temporary directory in the store, for work that must
// not outlive its process: release removes it, and a crashed owner's
// directory is removed by the next Open (its lock is free).
func (s *Store) TempDir() (string, func(), error) {
	t, err := s.newTemp()
	if err != nil {
		return "", nil, err
	}
	if err := os.Mkdir(t.path, 0o700); err != nil {
		t.release()
		return "", nil, err
	}
	return t.path, t.release, nil
}
