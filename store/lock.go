package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

type lockMode int

const (
	shared lockMode = iota
	exclusive
)

// lockFile opens path and flocks it. With block false it returns a nil file
// when another open file description holds a conflicting lock. With create
// false a missing file is an fs.ErrNotExist error.
//
// flock locks belong to the open file description, so two goroutines of
// one process that each call lockFile exclude each other exactly as two
// processes do. Lock files under locks/ are never removed: removing one
// while a waiter has it open would let two holders exist at once.
func lockFile(path string, mode lockMode, create bool) (*os.File, error) {
	return lockFileWait(path, mode, create, false)
}

func lockFileWait(path string, mode lockMode, create, block bool) (*os.File, error) {
	for {
		flags := os.O_RDWR
		if create {
			flags |= os.O_CREATE
		}
		f, err := os.OpenFile(path, flags, 0o600)
		if err != nil {
			return nil, err
		}
		how := unix.LOCK_EX
		if mode == shared {
			how = unix.LOCK_SH
		}
		if !block {
			how |= unix.LOCK_NB
		}
		for {
			err = unix.Flock(int(f.Fd()), how)
			if err != unix.EINTR {
				break
			}
		}
		if err == unix.EWOULDBLOCK && !block {
			f.Close()
			return nil, nil
		}
		if err != nil {
			f.Close()
			return nil, &os.PathError{Op: "flock", Path: path, Err: err}
		}
		// A temp lock file may have been unlinked by a cleaner between our
		// open and our flock; then the lock guards nothing, so start over.
		if same, err := sameFile(f, path); err != nil || !same {
			f.Close()
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
			if !create {
				return nil, &os.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
			}
			continue
		}
		return f, nil
	}
}

func sameFile(f *os.File, path string) (bool, error) {
	a, err := f.Stat()
	if err != nil {
		return false, err
	}
	b, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	return os.SameFile(a, b), nil
}

var lockName = nameChars{1}

func (s *Store) lock(name string, mode lockMode, block bool) (*os.File, error) {
	if !lockName.MatchString(name) {
		return nil, fmt.Errorf("lock %q: invalid lock name", name)
	}
	f, err := lockFileWait(s.path("locks", name), mode, true, block)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	return f, nil
}

func unlocker(f *os.File) func() {
	return func() { f.Close() }
}

// Lock takes an exclusive flock on locks/<name> (blocking).
func (s *Store) Lock(name string) (unlock func(), err error) {
	f, err := s.lock(name, exclusive, true)
	if err != nil {
		return func() {}, err
	}
	return unlocker(f), nil
}

// TryLock is Lock without waiting; ok is false when another process holds it.
func (s *Store) TryLock(name string) (unlock func(), ok bool, err error) {
	f, err := s.lock(name, exclusive, false)
	if err != nil || f == nil {
		return func() {}, false, err
	}
	return unlocker(f), true, nil
}

// Hold takes the shared "in use" lock: pulls and container creation hold it
// so that image removal and pruning (which take it exclusively) never delete
// a layer that is about to be referenced.
//
// A process holding Hold must not call RemoveImage, PruneImages,
// RemoveVolume or PruneVolumes: they wait for every holder, itself included.
func (s *Store) Hold() (release func(), err error) {
	f, err := s.lock("gc", shared, true)
	if err != nil {
		return func() {}, err
	}
	return unlocker(f), nil
}

// exclusiveGC waits until no Hold is outstanding and keeps others out.
func (s *Store) exclusiveGC() (func(), error) {
	f, err := s.lock("gc", exclusive, true)
	if err != nil {
		return nil, err
	}
	return unlocker(f), nil
}

func (s *Store) lockNamed(name string) (func(), error) {
	return s.Lock(name)
}

// LockHeld reports whether some process holds the lock name of the store
// at root, as TryLock would find it, without opening the store: nothing is
// created, so it may ask about any root, even one that is gone. A missing
// root or lock file means nobody holds it.
func LockHeld(root, name string) (bool, error) {
	if !lockName.MatchString(name) {
		return false, fmt.Errorf("lock %q: invalid lock name", name)
	}
	f, err := lockFile((&Store{root: root}).path("locks", name), exclusive, false)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("lock %s: %w", name, err)
	}
	if f == nil {
		return true, nil
	}
	f.Close()
	return false, nil
}
