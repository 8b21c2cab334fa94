package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	securejoin "github.com/cyphar/filepath-securejoin"
	"golang.org/x/sys/unix"
)

// Populate copies image content into empty volumes, as Docker does when a
// fresh volume is mounted over a directory of the image. The image is read
// through a read-only overlay of its layers (the kernel applies whiteouts
// and opaque directories), mounted in a private mount namespace so that
// nothing is ever mounted on the host. Each target is resolved inside that
// rootfs, as ns resolves it at mount time: an image symlink such as
// /data -> /etc never reaches the host's /etc.
func Populate(lower []string, userXattr bool, copies []CopyUp) error {
	if len(copies) == 0 || len(lower) == 0 {
		return nil
	}
	var todo []CopyUp
	for _, c := range copies {
		empty, err := isEmptyDir(c.Dst)
		if err != nil {
			return fmt.Errorf("volume %s: %w", c.Dst, err)
		}
		if empty {
			todo = append(todo, c)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	return withImage(lower, userXattr, func(root string) error {
		for _, c := range todo {
			// The same volume may be mounted twice; copy into it once.
			if empty, err := isEmptyDir(c.Dst); err != nil || !empty {
				continue
			}
			src, err := securejoin.SecureJoin(root, c.Target)
			if err != nil {
				return fmt.Errorf("copy image content at %s: %w", c.Target, err)
			}
			fi, err := os.Lstat(src)
			if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) || (err == nil && !fi.IsDir()) {
				continue // nothing to copy: ns creates the mount point
			}
			if err != nil {
				return fmt.Errorf("copy image content at %s: %w", c.Target, err)
			}
			if err := copyTree(src, c.Dst); err != nil {
				return fmt.Errorf("copy image content at %s into its volume: %w", c.Target, err)
			}
		}
		return nil
	})
}

// withImage mounts the layers (topmost first) read-only in a private mount
// namespace and calls fn with the mount point, on a thread that lives in
// that namespace and dies with it.
func withImage(lower []string, userXattr bool, fn func(root string) error) error {
	tmp, err := os.MkdirTemp("", "pocket-copyup-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	mnt, empty := filepath.Join(tmp, "rootfs"), filepath.Join(tmp, "empty")
	for _, d := range []string{mnt, empty} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return err
		}
	}
	for _, p := range lower {
		if strings.ContainsAny(p, ":,") {
			return fmt.Errorf("mount image: layer path %q has ':' or ','", p)
		}
	}
	// Without an upper directory overlay wants two lower ones; an empty
	// directory at the bottom changes nothing.
	data := "lowerdir=" + strings.Join(append(append([]string{}, lower...), empty), ":")
	if userXattr {
		data += ",userxattr"
	}
	if len(data) >= os.Getpagesize() {
		return fmt.Errorf("mount image: %d layers do not fit in one overlay mount (hint: squash the image)", len(lower))
	}
	errc := make(chan error, 1)
	go func() {
		// Never unlocked: when this goroutine returns, the runtime ends
		// the thread and its private mount namespace with it.
		runtime.LockOSThread()
		errc <- func() error {
			if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
				return os.NewSyscallError("unshare", err)
			}
			if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
				return &os.PathError{Op: "make private", Path: "/", Err: err}
			}
			if err := unix.Mount("overlay", mnt, "overlay", unix.MS_RDONLY, data); err != nil {
				return &os.PathError{Op: "mount image", Path: mnt, Err: err}
			}
			return fn(mnt)
		}()
	}()
	return <-errc
}
