package fs

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// file writes a regular file, or links it from Options.Reuse when the
// earlier layer there holds the same file (see reuseFile).
func (u *unpacker) file(hdr *tar.Header, name string, r io.Reader) error {
	p, err := u.res.entry(name, true)
	if err != nil {
		return err
	}
	if old := u.reusable(hdr, name); old != nil {
		defer old.Close()
		return u.reuseFile(hdr, p, old, r)
	}
	f, err := u.create(p)
	if err != nil {
		return err
	}
	if _, err := io.CopyBuffer(onlyWriter{f}, r, u.buf); err != nil {
		f.Close()
		return err
	}
	return u.finishFile(hdr, p, f)
}

// create makes the regular file p, empty and mode 0600 until finishFile.
// O_EXCL|O_NOFOLLOW never opens what is already there (a symlink planted
// by an earlier entry included); an existing entry is removed first.
func (u *unpacker) create(p string) (*os.File, error) {
	const flags = unix.O_WRONLY | unix.O_CREAT | unix.O_EXCL | unix.O_NOFOLLOW | unix.O_CLOEXEC
	fd, err := unix.Open(p, flags, 0o600)
	if err == unix.EEXIST {
		if err = u.remove(p); err == nil {
			fd, err = unix.Open(p, flags, 0o600)
		}
	}
	if err != nil {
		return nil, &os.PathError{Op: "create", Path: p, Err: err}
	}
	return os.NewFile(uintptr(fd), p), nil
}

// finishFile gives the written file f at p the entry's owner, mode,
// xattrs and times, and closes it.
func (u *unpacker) finishFile(hdr *tar.Header, p string, f *os.File) error {
	fd := int(f.Fd())
	if err := u.chown(p, func() error { return unix.Fchown(fd, hdr.Uid, hdr.Gid) }); err != nil {
		f.Close()
		return err
	}
	// After chown, which clears setuid and setgid.
	if err := unix.Fchmod(fd, uint32(hdr.Mode&0o7777)); err != nil {
		f.Close()
		return &os.PathError{Op: "chmod", Path: p, Err: err}
	}
	if err := u.xattrs(hdr, p, func(k string, v []byte) error { return unix.Fsetxattr(fd, k, v, 0) }); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return setTimes(p, hdr.AccessTime, hdr.ModTime)
}

// dir creates (or merges into) a directory at host path p. Its times are
// set by finish, after its children are in place.
func (u *unpacker) dir(hdr *tar.Header, name, p string) error {
	if p != u.res.root {
		err := unix.Mkdir(p, 0o700)
		if err == unix.EEXIST {
			var st unix.Stat_t
			if err = unix.Lstat(p, &st); err == nil && st.Mode&unix.S_IFMT != unix.S_IFDIR {
				// A directory over a non-directory replaces it; over a
				// directory it merges.
				if err = u.remove(p); err == nil {
					err = unix.Mkdir(p, 0o700)
				}
			}
		}
		if err != nil {
			return &os.PathError{Op: "mkdir", Path: p, Err: err}
		}
	}
	if err := u.meta(hdr, p); err != nil {
		return err
	}
	u.dirs[name] = dirTimes{atime: hdr.AccessTime, mtime: hdr.ModTime}
	return nil
}

// symlink creates a symlink with the entry's target verbatim: it is for
// the container to resolve, never followed here.
func (u *unpacker) symlink(hdr *tar.Header, name string) error {
	p, err := u.res.entry(name, true)
	if err != nil {
		return err
	}
	err = unix.Symlink(hdr.Linkname, p)
	if err == unix.EEXIST {
		if err = u.remove(p); err == nil {
			err = unix.Symlink(hdr.Linkname, p)
		}
	}
	if err != nil {
		return &os.PathError{Op: "symlink", Path: p, Err: err}
	}
	if err := u.chown(p, func() error { return unix.Lchown(p, hdr.Uid, hdr.Gid) }); err != nil {
		return err
	}
	return setTimes(p, hdr.AccessTime, hdr.ModTime)
}

// hardlink links name to an earlier entry of the layer. The target's
// directory must be reached without a symlink, and linkat without
// AT_SYMLINK_FOLLOW links a symlink itself, never what it points to.
func (u *unpacker) hardlink(hdr *tar.Header, name string) error {
	target := cleanName(hdr.Linkname)
	if target == "/" {
		return fmt.Errorf("hardlink to layer root: %w", ErrInvalidEntry)
	}
	tdir, ok, err := u.res.lexical(dirName(target))
	if err != nil {
		return fmt.Errorf("hardlink target %q: %w", hdr.Linkname, err)
	}
	if !ok {
		return fmt.Errorf("hardlink target %q through a symlink: %w", hdr.Linkname, ErrUnsafeEntry)
	}
	oldp := tdir + "/" + baseName(target)
	p, err := u.res.entry(name, true)
	if err != nil {
		return err
	}
	if oldp == p {
		return nil
	}
	err = unix.Linkat(unix.AT_FDCWD, oldp, unix.AT_FDCWD, p, 0)
	if err == unix.EEXIST {
		if err = u.remove(p); err == nil {
			err = unix.Linkat(unix.AT_FDCWD, oldp, unix.AT_FDCWD, p, 0)
		}
	}
	if err != nil {
		return &os.LinkError{Op: "link", Old: oldp, New: p, Err: err}
	}
	return nil
}

// special creates a FIFO or, as real root, a device node.
func (u *unpacker) special(hdr *tar.Header, name string) error {
	p, err := u.res.entry(name, true)
	if err != nil {
		return err
	}
	mode := uint32(unix.S_IFIFO)
	switch hdr.Typeflag {
	case tar.TypeChar:
		mode = unix.S_IFCHR
	case tar.TypeBlock:
		mode = unix.S_IFBLK
	}
	dev := int(unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor)))
	err = unix.Mknod(p, mode|0o600, dev)
	if err == unix.EEXIST {
		if err = u.remove(p); err == nil {
			err = unix.Mknod(p, mode|0o600, dev)
		}
	}
	if err != nil {
		return &os.PathError{Op: "mknod", Path: p, Err: err}
	}
	if err := u.meta(hdr, p); err != nil {
		return err
	}
	return setTimes(p, hdr.AccessTime, hdr.ModTime)
}

// meta sets ownership, mode and xattrs on p, which is not a symlink.
func (u *unpacker) meta(hdr *tar.Header, p string) error {
	if err := u.chown(p, func() error { return unix.Lchown(p, hdr.Uid, hdr.Gid) }); err != nil {
		return err
	}
	if err := unix.Chmod(p, uint32(hdr.Mode&0o7777)); err != nil {
		return &os.PathError{Op: "chmod", Path: p, Err: err}
	}
	return u.xattrs(hdr, p, func(k string, v []byte) error { return unix.Lsetxattr(p, k, v, 0) })
}

func (u *unpacker) chown(p string, chown func() error) error {
	err := chown()
	if err != nil && u.o.Rootless && (err == unix.EINVAL || err == unix.EPERM) {
		// The id is not mapped in this user namespace.
		return nil
	}
	if err != nil {
		return &os.PathError{Op: "lchown", Path: p, Err: err}
	}
	return nil
}

// xattrs applies the entry's SCHILY.xattr PAX records. trusted.* is never
// applied (it would need CAP_SYS_ADMIN and includes trusted.overlay.*,
// which would let a layer redirect or hide paths of other layers), nor is
// any *.overlay.* key, security.selinux (the host labels files) or anything
// the filesystem does not support.
func (u *unpacker) xattrs(hdr *tar.Header, p string, set func(k string, v []byte) error) error {
	for k, v := range hdr.PAXRecords {
		key, ok := strings.CutPrefix(k, "SCHILY.xattr.")
		if !ok || !layerXattr(key) {
			continue
		}
		err := set(key, []byte(v))
		switch {
		case err == nil, err == unix.ENOTSUP:
		case u.o.Rootless && err == unix.EPERM:
		default:
			return &os.PathError{Op: "setxattr " + key, Path: p, Err: err}
		}
	}
	return nil
}

// remove deletes whatever is at p (never following a symlink) so an entry
// can take its place. Removing a directory or symlink may change how
// remembered parents resolve, so the resolver forgets them.
// layerXattr says whether a layer may set xattr key (see xattrs).
func layerXattr(key string) bool {
	return !strings.HasPrefix(key, "trusted.") && !strings.Contains(key, ".overlay.") && key != "security.selinux"
}

func (u *unpacker) remove(p string) error {
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		return &os.PathError{Op: "lstat", Path: p, Err: err}
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		u.res.forget()
		return os.RemoveAll(p)
	case unix.S_IFLNK:
		u.res.forget()
	}
	if err := unix.Unlink(p); err != nil {
		return &os.PathError{Op: "unlink", Path: p, Err: err}
	}
	return nil
}

// finish sets directory times now that nothing is created in them any
// more. Each name is resolved again, inside root, and only a directory
// still standing there is touched.
func (u *unpacker) finish() error {
	for name, t := range u.dirs {
		p := u.res.root
		if name != "/" {
			var err error
			if p, err = u.res.entry(name, false); err != nil {
				continue // replaced by a later entry
			}
		}
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFDIR {
			continue
		}
		if err := setTimes(p, t.atime, t.mtime); err != nil {
			return err
		}
	}
	return nil
}

// setTimes sets atime and mtime on p itself, not on a symlink's target. A
// zero atime (plain ustar has none) takes mtime; a zero mtime is left.
func setTimes(p string, atime, mtime time.Time) error {
	if mtime.IsZero() {
		return nil
	}
	if atime.IsZero() {
		atime = mtime
	}
	ts := []unix.Timespec{timespec(atime), timespec(mtime)}
	if err := unix.UtimesNanoAt(unix.AT_FDCWD, p, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &os.PathError{Op: "utimes", Path: p, Err: err}
	}
	return nil
}

func timespec(t time.Time) unix.Timespec {
	return unix.Timespec{Sec: t.Unix(), Nsec: int64(t.Nanosecond())}
}

// isRealRoot reports whether the process is root in the initial user
// namespace, where device nodes can be created and used. It is no answer
// to "rootless?" (the caller gives that in Options.Rootless) but a safety
// net for a caller that passes the zero Options without being root.
func isRealRoot() bool {
	if os.Geteuid() != 0 {
		return false
	}
	b, err := os.ReadFile("/proc/self/uid_map")
	if err != nil {
		return false
	}
	f := strings.Fields(string(b))
	return len(f) == 3 && f[0] == "0" && f[1] == "0" && f[2] == "4294967295"
}
