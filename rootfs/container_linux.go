package rootfs

import (
	"fmt"
	"os"
	"runtime"

	"golang.org/x/sys/unix"

	"pocket/ns"
)

// WithContainer mounts a stopped container's rootfs (its layers and its
// upper directory, writable) and its volumes and bind mounts in a private
// mount namespace and calls fn with the mount's root directory open, on
// a thread that lives in that namespace and dies with it: nothing is
// mounted on the host, and the mounts go away when fn returns. The
// caller keeps the container from starting meanwhile (overlay must not
// have the same upper directory mounted twice) and holds its volumes.
func WithContainer(rs ns.Rootfs, mounts []ns.Mount, fn func(root *os.File) error) error {
	if rs.Premounted {
		return fmt.Errorf("mount rootfs: %w: a fuse-overlayfs container is reached only while it runs (hint: start it)", ErrOS)
	}
	tmp, err := os.MkdirTemp("", "pocket-cp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	rs.Target = tmp
	errc := make(chan error, 1)
	go func() {
		// Never unlocked: when this goroutine returns, the runtime ends
		// the thread and its private mount namespace with it.
		runtime.LockOSThread()
		errc <- func() error {
			// CLONE_NEWNS also gives the thread its own working
			// directory, which the overlay mount changes for its
			// relative layer names.
			if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
				return os.NewSyscallError("unshare", err)
			}
			if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
				return &os.PathError{Op: "make private", Path: "/", Err: err}
			}
			if err := ns.MountStopped(rs, mounts); err != nil {
				return err
			}
			root, err := os.OpenFile(tmp, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
			if err != nil {
				return err
			}
			defer root.Close()
			return fn(root)
		}()
	}()
	return <-errc
}
