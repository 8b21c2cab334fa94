package rootfs

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"

	"pocket/ns"
)

// WithContainer mounts a stopped container's rootfs (its layers and its
// upper directory, writable) in a private mount namespace and calls fn
// with the mount's root directory open, on a thread that lives in that
// namespace and dies with it: nothing is mounted on the host, and the
// mount goes away when fn returns. The caller keeps the container from
// starting meanwhile (overlay must not have the same upper directory
// mounted twice).
func WithContainer(rs ns.Rootfs, fn func(root *os.File) error) error {
	if rs.Premounted {
		return fmt.Errorf("mount rootfs: %w: a fuse-overlayfs container is reached only while it runs (hint: start it)", ErrOS)
	}
	tmp, err := os.MkdirTemp("", "pocket-cp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	lower := rs.Lower
	dir := commonDir(lower)
	if dir != "" {
		rel := make([]string, len(lower))
		for i, l := range lower {
			rel[i] = filepath.Base(l)
		}
		lower = rel
	}
	for _, p := range append([]string{rs.Upper, rs.Work}, lower...) {
		if strings.ContainsAny(p, ":,") {
			return fmt.Errorf("mount rootfs: layer path %q has ':' or ','", p)
		}
	}
	data := "lowerdir=" + strings.Join(lower, ":") + ",upperdir=" + rs.Upper + ",workdir=" + rs.Work
	if rs.UserXattr {
		data += ",userxattr"
	}
	if len(data) >= os.Getpagesize() {
		return fmt.Errorf("mount rootfs: %d layers do not fit in one overlay mount (hint: squash the image)", len(rs.Lower))
	}
	errc := make(chan error, 1)
	go func() {
		// Never unlocked: when this goroutine returns, the runtime ends
		// the thread and its private mount namespace with it.
		runtime.LockOSThread()
		errc <- func() error {
			// CLONE_NEWNS also gives the thread its own working
			// directory, for the relative layer names.
			if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
				return os.NewSyscallError("unshare", err)
			}
			if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
				return &os.PathError{Op: "make private", Path: "/", Err: err}
			}
			if dir != "" {
				if err := unix.Chdir(dir); err != nil {
					return &os.PathError{Op: "chdir", Path: dir, Err: err}
				}
			}
			if err := unix.Mount("overlay", tmp, "overlay", 0, data); err != nil {
				return &os.PathError{Op: "mount rootfs", Path: tmp, Err: err}
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

// commonDir is the directory holding every path in dirs, or "" when they
// do not share one (or there is a single layer).
func commonDir(dirs []string) string {
	if len(dirs) < 2 {
		return ""
	}
	parent := filepath.Dir(dirs[0])
	for _, d := range dirs[1:] {
		if filepath.Dir(d) != parent {
			return ""
		}
	}
	return parent
}
