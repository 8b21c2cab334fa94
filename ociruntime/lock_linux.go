package ociruntime

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// lock takes the container's lock, an exclusive flock(2) on its state
// directory, and returns the directory to Close when done. Every command
// that changes a container (create, start, kill, delete, pause, resume,
// update) holds it, so that two of them on one container, a delete racing
// a start or two kills from a shim and a user, run one after the other
// instead of interleaving their reads and writes of state.json and the
// cgroup. state and ps only read, and do not wait for it.
func (r *Runtime) lock(id string) (*os.File, error) {
	if err := checkID(id); err != nil {
		return nil, ErrNotExist
	}
	d, err := os.Open(r.dir(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotExist
	}
	if err != nil {
		return nil, err
	}
	for {
		err = unix.Flock(int(d.Fd()), unix.LOCK_EX)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		d.Close()
		return nil, &os.PathError{Op: "flock", Path: d.Name(), Err: err}
	}
	// A delete that held the lock before us removed the directory: the
	// container is gone, even if a create has since made a new one of
	// the same ID.
	var st unix.Stat_t
	if err := unix.Fstat(int(d.Fd()), &st); err != nil {
		d.Close()
		return nil, fmt.Errorf("stat %s: %w", d.Name(), err)
	}
	if st.Nlink == 0 {
		d.Close()
		return nil, ErrNotExist
	}
	return d, nil
}

// locked runs f on the container's record with its lock held.
func (r *Runtime) locked(id string, f func(*record) error) error {
	l, err := r.lock(id)
	if err != nil {
		return err
	}
	defer l.Close()
	rec, err := r.load(id)
	if err != nil {
		return err
	}
	return f(rec)
}
