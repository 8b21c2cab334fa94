package ns

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	"golang.org/x/sys/unix"
)

// Resolving without following symlinks. The mounts pocket makes itself
// (proc, sys, dev and what lives under them) and the kernel files it masks
// must be exactly where Docker puts them: resolving them inside the rootfs
// (RESOLVE_IN_ROOT) keeps them off the host but still lets the image say
// where they go. An image whose /proc is a symlink gets procfs mounted
// wherever the link leads; later mounts then change what /proc resolves to,
// the masking step finds nothing there, and the container keeps a second,
// unmasked, writable procfs (its /proc/sys/kernel/core_pattern runs a
// program as host root). CVE-2019-16884 and CVE-2019-19921 are this class
// in runc.
//
// The walk goes one component at a time with O_PATH|O_NOFOLLOW, each open
// relative to the last, so no symlink is ever followed and the error names
// the component at fault. (openat2 RESOLVE_NO_SYMLINKS does the same in
// one call from Linux 5.6; the walk works on every kernel pocket runs on.)

// components splits an absolute container path into its names; ".." and
// "." are cleaned away lexically, so the walk never climbs.
func components(target string) ([]string, error) {
	clean := path.Clean("/" + target)
	if clean == "/" {
		return nil, fmt.Errorf("%w: %q is the root itself", ErrUnsafePath, target)
	}
	return strings.Split(clean[1:], "/"), nil
}

// openNoFollow opens name in dir as O_PATH without following it, and
// stats what it opened (a symlink is opened as the link itself).
func openNoFollow(dir *os.File, name string) (*os.File, *unix.Stat_t, error) {
	fd, err := unix.Openat(int(dir.Fd()), name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	f := os.NewFile(uintptr(fd), name)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, &st, nil
}

func fileKind(st *unix.Stat_t) string {
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFLNK:
		return "a symlink"
	case unix.S_IFDIR:
		return "a directory"
	case unix.S_IFREG:
		return "a file"
	}
	return "a special file"
}

// dupPath is a new O_PATH handle of dir, to walk from without closing dir.
func dupPath(dir *os.File) (*os.File, error) {
	fd, err := unix.Openat(int(dir.Fd()), ".", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), dir.Name()), nil
}

// mountpoint returns an O_PATH handle of the directory target inside the
// root, for a filesystem pocket mounts itself, following no symlink.
// Missing directories are created. When the last component is a symlink
// or not a directory, it is the image's entry in this container's own
// overlay: it is replaced by an empty directory (the whiteout lands in the
// container's upper directory; the image is untouched), as Docker runs such
// an image with a real /proc. A symlink or file earlier in the path is
// refused: those components are pocket's own mounts (the /dev tmpfs, sysfs),
// never the image's, so something is wrong and nothing is mounted.
func (r *root) mountpoint(target string) (*os.File, error) {
	names, err := components(target)
	if err != nil {
		return nil, err
	}
	dir, err := dupPath(r.dir)
	if err != nil {
		return nil, err
	}
	for i, name := range names {
		last := i == len(names)-1
		next, st, err := openNoFollow(dir, name)
		switch {
		case errors.Is(err, unix.ENOENT):
			// Created below.
		case err != nil:
			dir.Close()
			return nil, &os.PathError{Op: "open", Path: "/" + path.Join(names[:i+1]...), Err: err}
		case st.Mode&unix.S_IFMT == unix.S_IFDIR:
			dir.Close()
			dir = next
			continue
		case !last:
			next.Close()
			dir.Close()
			return nil, fmt.Errorf("%w: %s is %s, not a directory", ErrUnsafePath, "/"+path.Join(names[:i+1]...), fileKind(st))
		default:
			next.Close()
			if err := unix.Unlinkat(int(dir.Fd()), name, 0); err != nil {
				dir.Close()
				return nil, &os.PathError{Op: "replace " + fileKind(st) + " with a directory", Path: target, Err: err}
			}
		}
		if err := unix.Mkdirat(int(dir.Fd()), name, 0o755); err != nil && !errors.Is(err, unix.EEXIST) {
			dir.Close()
			return nil, &os.PathError{Op: "mkdir", Path: "/" + path.Join(names[:i+1]...), Err: err}
		}
		next, st, err = openNoFollow(dir, name)
		dir.Close()
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: "/" + path.Join(names[:i+1]...), Err: err}
		}
		if st.Mode&unix.S_IFMT != unix.S_IFDIR {
			next.Close()
			return nil, fmt.Errorf("%w: %s is %s, not a directory", ErrUnsafePath, "/"+path.Join(names[:i+1]...), fileKind(st))
		}
		dir = next
	}
	return dir, nil
}

// lookup opens target inside the root without following any symlink and
// without creating anything: a symlink anywhere on the way is an error.
func (r *root) lookup(target string) (*os.File, error) {
	return walk(r.dir, "", target, nil)
}

// walk opens rel below dir (named base in errors) one component at a time,
// following no symlink. With dev set, every component must be on that filesystem (st_dev): the
// walk stays inside one verified procfs or sysfs and never enters a mount
// on top of it. A missing component is an error that errors.Is
// os.ErrNotExist.
func walk(dir *os.File, base, rel string, dev *uint64) (*os.File, error) {
	names, err := components(rel)
	if err != nil {
		return nil, err
	}
	cur, err := dupPath(dir)
	if err != nil {
		return nil, err
	}
	for i, name := range names {
		p := base + "/" + path.Join(names[:i+1]...)
		next, st, err := openNoFollow(cur, name)
		cur.Close()
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: p, Err: err}
		}
		switch {
		case st.Mode&unix.S_IFMT == unix.S_IFLNK:
			next.Close()
			return nil, fmt.Errorf("%w: %s is a symlink", ErrUnsafePath, p)
		case i < len(names)-1 && st.Mode&unix.S_IFMT != unix.S_IFDIR:
			next.Close()
			return nil, fmt.Errorf("%w: %s is %s, not a directory", ErrUnsafePath, p, fileKind(st))
		case dev != nil && st.Dev != *dev:
			next.Close()
			return nil, fmt.Errorf("%w: %s is on another filesystem (a mount over it)", ErrUnsafePath, p)
		}
		cur = next
	}
	return cur, nil
}
