package rootfs

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// copyTree copies the directory src into the existing directory dst,
// keeping ownership, modes, times, xattrs, symlinks, hard links and
// special files. dst itself takes src's owner and mode (Docker's
// copyOwnership), so a volume over /tmp stays 1777.
//
// src is the image's read-only overlay, mounted in pocket's private mount
// namespace: nothing else can change it while it is read. dst is a volume
// that another container may be changing at the same time, and pocket
// writes as host root: a directory swapped for a symlink to /etc mid-copy
// must not send the files there (the volume copy-up race that Docker's
// CVE-2014-9356 class of bugs names). So every write goes through a
// descriptor: each directory is created with mkdirat and opened without
// following symlinks relative to its verified parent, files are created
// with O_EXCL, and owner, mode, xattrs and times are set on descriptors,
// never by path. Whatever the other container moves around, the copy
// stays inside the volume.
func copyTree(src, dst string) error {
	root, err := os.OpenFile(dst, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer root.Close()
	c := &copier{root: root, links: map[[2]uint64]string{}}
	if err := c.dir(src, root, "."); err != nil {
		return err
	}
	fi, err := os.Lstat(src)
	if err != nil {
		return err
	}
	return c.meta(src, fi, root, nil, "")
}

type copier struct {
	root  *os.File             // the volume's directory
	links map[[2]uint64]string // (dev, inode) -> first copy, relative to root
}

// dir copies the entries of src into the directory d, which is rel below
// the root.
func (c *copier) dir(src string, d *os.File, rel string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := c.entry(filepath.Join(src, e.Name()), d, e.Name(), path.Join(rel, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// entry copies s to name in the directory d.
func (c *copier) entry(s string, d *os.File, name, rel string) error {
	fi, err := os.Lstat(s)
	if err != nil {
		return err
	}
	st := fi.Sys().(*syscall.Stat_t)
	dfd := int(d.Fd())
	var f *os.File
	switch m := fi.Mode(); {
	case m.IsDir():
		if err := unix.Mkdirat(dfd, name, 0o700); err != nil {
			return &os.PathError{Op: "mkdir", Path: rel, Err: err}
		}
		if f, err = openBeneath(d, name, unix.O_RDONLY|unix.O_DIRECTORY, 0); err != nil {
			return err
		}
		defer f.Close()
		if err := c.dir(s, f, rel); err != nil {
			return err
		}
		return c.meta(s, fi, f, nil, "")
	case m.IsRegular():
		if st.Nlink > 1 {
			key := [2]uint64{uint64(st.Dev), st.Ino}
			if first, ok := c.links[key]; ok {
				return c.link(first, d, name, rel)
			}
			c.links[key] = rel
		}
		if f, err = openBeneath(d, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL, 0o600); err != nil {
			return err
		}
		defer f.Close()
		if err := copyFile(s, f); err != nil {
			return err
		}
		return c.meta(s, fi, f, nil, "")
	case m&os.ModeSymlink != 0:
		target, err := os.Readlink(s)
		if err != nil {
			return err
		}
		if err := unix.Symlinkat(target, dfd, name); err != nil {
			return &os.PathError{Op: "symlink", Path: rel, Err: err}
		}
	case m&(os.ModeDevice|os.ModeNamedPipe) != 0:
		if err := unix.Mknodat(dfd, name, st.Mode, int(st.Rdev)); err != nil {
			return &os.PathError{Op: "mknod", Path: rel, Err: err}
		}
	default:
		return nil // sockets are not content
	}
	// A symlink, device or fifo cannot be opened for writing without
	// following or using it: hold it by an O_PATH descriptor, checked to
	// be what was just made.
	if f, err = openBeneath(d, name, unix.O_PATH|unix.O_NOFOLLOW, 0); err != nil {
		return err
	}
	defer f.Close()
	var got unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &got); err != nil {
		return &os.PathError{Op: "stat", Path: rel, Err: err}
	}
	if got.Mode&unix.S_IFMT != st.Mode&unix.S_IFMT {
		return &os.PathError{Op: "copy", Path: rel, Err: errors.New("replaced while it was copied")}
	}
	return c.meta(s, fi, f, d, name)
}

// link makes name in d a hard link to the first copy, found again inside
// the root without following any symlink.
func (c *copier) link(first string, d *os.File, name, rel string) error {
	parent, err := openBeneath(c.root, path.Dir(first), unix.O_PATH|unix.O_DIRECTORY, 0)
	if err != nil {
		return err
	}
	defer parent.Close()
	// Flags 0: a symlink found there is linked, not followed.
	if err := unix.Linkat(int(parent.Fd()), path.Base(first), int(d.Fd()), name, 0); err != nil {
		return &os.PathError{Op: "link", Path: rel, Err: err}
	}
	return nil
}

func copyFile(s string, out *os.File) error {
	in, err := os.OpenFile(s, os.O_RDONLY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return err
	}
	defer in.Close()
	_, err = io.Copy(out, in)
	return err
}

// meta copies owner, xattrs, mode and times, in that order: chown clears
// set-id bits and capabilities, so they come after it. f is the copy: an
// open directory or file, or (with parent and name) an O_PATH descriptor
// of a symlink, device or fifo.
func (c *copier) meta(s string, fi os.FileInfo, f *os.File, parent *os.File, name string) error {
	st := fi.Sys().(*syscall.Stat_t)
	fd := int(f.Fd())
	link := fi.Mode()&os.ModeSymlink != 0
	opath := parent != nil
	var err error
	if opath {
		err = unix.Fchownat(fd, "", int(st.Uid), int(st.Gid), unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW)
	} else {
		err = unix.Fchown(fd, int(st.Uid), int(st.Gid))
	}
	if err != nil {
		return &os.PathError{Op: "chown", Path: f.Name(), Err: err}
	}
	set := func(k string, v []byte) error { return unix.Fsetxattr(fd, k, v, 0) }
	if opath {
		// No fsetxattr on O_PATH: the name in the verified parent, whose
		// last component lsetxattr does not follow.
		p := procPath(parent) + "/" + name
		set = func(k string, v []byte) error { return unix.Lsetxattr(p, k, v, 0) }
	}
	if err := copyXattrs(s, set, link); err != nil {
		return err
	}
	if !link {
		if opath {
			// The magic link leads to the very inode checked above,
			// which is no symlink.
			err = unix.Fchmodat(unix.AT_FDCWD, procPath(f), st.Mode&07777, 0)
		} else {
			err = unix.Fchmod(fd, st.Mode&07777)
		}
		if err != nil {
			return &os.PathError{Op: "chmod", Path: f.Name(), Err: err}
		}
	}
	ts := []unix.Timespec{unix.Timespec(st.Atim), unix.Timespec(st.Mtim)}
	if opath {
		err = unix.UtimesNanoAt(int(parent.Fd()), name, ts, unix.AT_SYMLINK_NOFOLLOW)
	} else {
		err = futimens(fd, ts)
	}
	if err != nil {
		return &os.PathError{Op: "utimes", Path: f.Name(), Err: err}
	}
	return nil
}

// futimens is utimensat(fd, NULL, ts, 0): the times of the open file
// itself, by no name.
func futimens(fd int, ts []unix.Timespec) error {
	_, _, e := unix.Syscall6(unix.SYS_UTIMENSAT, uintptr(fd), 0, uintptr(unsafe.Pointer(&ts[0])), 0, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

func procPath(f *os.File) string { return "/proc/self/fd/" + strconv.Itoa(int(f.Fd())) }

func copyXattrs(s string, set func(k string, v []byte) error, link bool) error {
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
		if err := set(k, v[:sz]); err != nil && !(link && errors.Is(err, unix.EPERM)) && !errors.Is(err, unix.ENOTSUP) {
			return fmt.Errorf("setxattr %s on %s: %w", k, s, err)
		}
	}
	return nil
}

// noOpenat2 is set once openat2 turned out to be missing (Linux < 5.6).
var noOpenat2 atomic.Bool

// openBeneath opens rel below the directory d without following any
// symlink, magic link or mount point on the way: openat2 with
// RESOLVE_IN_ROOT|RESOLVE_NO_SYMLINKS, or on older kernels one openat
// with O_NOFOLLOW per component. With O_PATH a symlink as the last
// component is opened itself; otherwise it is an error.
func openBeneath(d *os.File, rel string, flags int, mode uint32) (*os.File, error) {
	flags |= unix.O_CLOEXEC | unix.O_NOFOLLOW
	if !noOpenat2.Load() {
		how := unix.OpenHow{Flags: uint64(flags), Mode: uint64(mode),
			Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS | unix.RESOLVE_NO_XDEV}
		fd, err := unix.Openat2(int(d.Fd()), rel, &how)
		if err == nil {
			return os.NewFile(uintptr(fd), path.Join(d.Name(), rel)), nil
		}
		if !errors.Is(err, unix.ENOSYS) {
			return nil, &os.PathError{Op: "openat2", Path: path.Join(d.Name(), rel), Err: err}
		}
		noOpenat2.Store(true)
	}
	parts := strings.Split(path.Clean(rel), "/")
	cur, owned := int(d.Fd()), false
	defer func() {
		if owned {
			unix.Close(cur)
		}
	}()
	for i, p := range parts {
		fl, m := unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, uint32(0)
		if i == len(parts)-1 {
			fl, m = flags, mode
		}
		if p == ".." {
			return nil, &os.PathError{Op: "openat", Path: rel, Err: unix.EXDEV}
		}
		fd, err := unix.Openat(cur, p, fl, m)
		if err != nil {
			return nil, &os.PathError{Op: "openat", Path: path.Join(d.Name(), rel), Err: err}
		}
		if owned {
			unix.Close(cur)
		}
		cur, owned = fd, true
	}
	owned = false
	return os.NewFile(uintptr(cur), path.Join(d.Name(), rel)), nil
}
