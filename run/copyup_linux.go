package run

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	securejoin "github.com/cyphar/filepath-securejoin"
	"golang.org/x/sys/unix"
)

// populate copies image content into empty volumes, as Docker does when a
// fresh volume is mounted over a directory of the image. The image is read
// through a read-only overlay of its layers (the kernel applies whiteouts
// and opaque directories), mounted in a private mount namespace so that
// nothing is ever mounted on the host. Each target is resolved inside that
// rootfs, as ns resolves it at mount time: an image symlink such as
// /data -> /etc never reaches the host's /etc.
func populate(lower []string, userXattr bool, copies []copyUp) error {
	if len(copies) == 0 || len(lower) == 0 {
		return nil
	}
	var todo []copyUp
	for _, c := range copies {
		empty, err := isEmptyDir(c.dst)
		if err != nil {
			return fmt.Errorf("volume %s: %w", c.dst, err)
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
			if empty, err := isEmptyDir(c.dst); err != nil || !empty {
				continue
			}
			src, err := securejoin.SecureJoin(root, c.target)
			if err != nil {
				return fmt.Errorf("copy image content at %s: %w", c.target, err)
			}
			fi, err := os.Lstat(src)
			if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) || (err == nil && !fi.IsDir()) {
				continue // nothing to copy: ns creates the mount point
			}
			if err != nil {
				return fmt.Errorf("copy image content at %s: %w", c.target, err)
			}
			if err := copyTree(src, c.dst); err != nil {
				return fmt.Errorf("copy image content at %s into its volume: %w", c.target, err)
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

// copyTree copies the directory src into the existing directory dst,
// keeping ownership, modes, times, xattrs, symlinks, hard links and
// special files. dst itself takes src's owner and mode (Docker's
// copyOwnership), so a volume over /tmp stays 1777.
func copyTree(src, dst string) error {
	c := &copier{links: map[[2]uint64]string{}}
	if err := c.dir(src, dst); err != nil {
		return err
	}
	fi, err := os.Lstat(src)
	if err != nil {
		return err
	}
	return c.meta(src, dst, fi)
}

type copier struct {
	links map[[2]uint64]string // (dev, inode) -> first copy, for hard links
}

func (c *copier) dir(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		s, d := filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())
		if err := c.entry(s, d); err != nil {
			return err
		}
	}
	return nil
}

func (c *copier) entry(s, d string) error {
	fi, err := os.Lstat(s)
	if err != nil {
		return err
	}
	st := fi.Sys().(*syscall.Stat_t)
	switch m := fi.Mode(); {
	case m.IsDir():
		if err := os.Mkdir(d, 0o700); err != nil {
			return err
		}
		if err := c.dir(s, d); err != nil {
			return err
		}
	case m.IsRegular():
		if st.Nlink > 1 {
			key := [2]uint64{uint64(st.Dev), st.Ino}
			if first, ok := c.links[key]; ok {
				return os.Link(first, d)
			}
			c.links[key] = d
		}
		if err := copyFile(s, d); err != nil {
			return err
		}
	case m&os.ModeSymlink != 0:
		target, err := os.Readlink(s)
		if err != nil {
			return err
		}
		if err := os.Symlink(target, d); err != nil {
			return err
		}
	case m&(os.ModeDevice|os.ModeNamedPipe) != 0:
		if err := unix.Mknod(d, st.Mode, int(st.Rdev)); err != nil {
			return &os.PathError{Op: "mknod", Path: d, Err: err}
		}
	default:
		return nil // sockets are not content
	}
	return c.meta(s, d, fi)
}

func copyFile(s, d string) error {
	in, err := os.Open(s)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(d, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// meta copies owner, xattrs, mode and times, in that order: chown clears
// set-id bits and capabilities, so they come after it.
func (c *copier) meta(s, d string, fi os.FileInfo) error {
	st := fi.Sys().(*syscall.Stat_t)
	link := fi.Mode()&os.ModeSymlink != 0
	if err := os.Lchown(d, int(st.Uid), int(st.Gid)); err != nil {
		return err
	}
	if err := copyXattrs(s, d, link); err != nil {
		return err
	}
	if !link {
		if err := unix.Chmod(d, st.Mode&07777); err != nil {
			return &os.PathError{Op: "chmod", Path: d, Err: err}
		}
	}
	ts := []unix.Timespec{unix.Timespec(st.Atim), unix.Timespec(st.Mtim)}
	if err := unix.UtimesNanoAt(unix.AT_FDCWD, d, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &os.PathError{Op: "utimes", Path: d, Err: err}
	}
	return nil
}

func copyXattrs(s, d string, link bool) error {
	buf := make([]byte, 4096)
	n, err := unix.Llistxattr(s, buf)
	if errors.Is(err, unix.ERANGE) {
		if n, err = unix.Llistxattr(s, nil); err == nil {
			buf = make([]byte, n)
			n, err = unix.Llistxattr(s, buf)
		}
	}
	if errors.Is(err, unix.ENOTSUP) {
		return nil
	}
	if err != nil {
		return &os.PathError{Op: "listxattr", Path: s, Err: err}
	}
	for _, k := range strings.Split(strings.TrimRight(string(buf[:n]), "\x00"), "\x00") {
		if k == "" || strings.HasPrefix(k, "trusted.overlay.") || strings.HasPrefix(k, "user.overlay.") {
			continue
		}
		sz, err := unix.Lgetxattr(s, k, nil)
		if err != nil {
			continue // vanished, or not readable: nothing to keep
		}
		v := make([]byte, sz)
		if sz, err = unix.Lgetxattr(s, k, v); err != nil {
			continue
		}
		if err := unix.Lsetxattr(d, k, v[:sz], 0); err != nil && !(link && errors.Is(err, unix.EPERM)) && !errors.Is(err, unix.ENOTSUP) {
			return &os.PathError{Op: "setxattr " + k, Path: d, Err: err}
		}
	}
	return nil
}
