package run

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"pocket/store"
)

// shmDir is where a shareable container's /dev/shm lives on the host, as
// Docker's ShmPath: a tmpfs the monitor mounts, which init binds at
// /dev/shm and a container joining its IPC namespace binds too (a mount
// inside another container's mount namespace cannot be bound).
func shmDir(s *store.Store, id string) string { return filepath.Join(s.ContainerDir(id), "shm") }

// mountShm mounts sp's shareable /dev/shm, or finds the donor's for an
// IPC joiner, and points init at it; unmount undoes what it mounted.
func mountShm(s *store.Store, sp *spec) (unmount func(), err error) {
	unmount = func() {}
	switch {
	case sp.Join.IPC != "" && sp.Init.Shm.Host:
		// The donor shares the host's IPC namespace and /dev/shm.
	case sp.Join.IPC != "":
		dir := shmDir(s, sp.Join.IPC)
		// The donor runs (openJoins checked it): its tmpfs is mounted.
		var st unix.Statfs_t
		if err := unix.Statfs(dir, &st); err != nil || st.Type != unix.TMPFS_MAGIC {
			return unmount, &joinError{"the container whose IPC is joined has no shareable /dev/shm", ErrBadOption}
		}
		sp.Init.Shm.Source = dir
	case sp.Namespaces.IpcMode == "shareable":
		dir := shmDir(s, sp.ID)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return unmount, err
		}
		size := sp.ShmSize
		if size == 0 {
			size = 64 << 20
		}
		err := unix.Mount("shm", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, fmt.Sprintf("mode=1777,size=%d", size))
		if err != nil {
			return unmount, &os.PathError{Op: "mount shm", Path: dir, Err: err}
		}
		sp.Init.Shm.Source = dir
		unmount = func() { unmountShm(s, sp.ID) }
	}
	return unmount, nil
}

// unmountShm removes a shareable container's /dev/shm tmpfs, if mounted
// (also by rm, after a monitor that was killed).
func unmountShm(s *store.Store, id string) {
	// EINVAL (not mounted) and ENOENT are the usual answers.
	_ = unix.Unmount(shmDir(s, id), unix.MNT_DETACH)
}
