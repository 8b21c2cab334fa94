package cp

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// ExtractOptions say how the entries of a copy land.
type ExtractOptions struct {
	// Owner, when set, owns every entry instead of the ids in the tar:
	// Docker's copy into a container without -a gives the container's
	// root. Nil keeps the tar's ids (-a).
	Owner *[2]int
	// NoChown leaves every entry to the extracting user, as Docker's
	// CLI does on the host side.
	NoChown bool
	// NoSetID drops set-user-ID and set-group-ID bits: a container's
	// set-id binary copied to the host must not become a root one.
	NoSetID bool
	// NoDevices skips device nodes: a container may make a node for the
	// host's disk (mknod is allowed there, only opening it is not), and
	// copied to the host as root, with the container's mode, it would
	// open the disk to any host user.
	NoDevices bool
	// From and To rename the archive's top entry (moby's
	// RebaseArchiveEntries): "dir" to "newdir", "." to "newdir".
	From, To string
}

// Extract writes the entries of the tar r below the directory dir.
//
// dir was resolved inside the container's root; below it nothing is
// followed: every parent is walked one name at a time with O_NOFOLLOW
// from dir, every entry is created by name in its parent's descriptor
// (O_EXCL, mkdirat, symlinkat, mknodat), and owner, mode and times are
// set on descriptors or with AT_SYMLINK_NOFOLLOW. A container that swaps
// a directory for a symlink to the host's / while the copy runs makes the
// copy fail, never write outside (CVE-2018-15664). A tar entry named
// "../x" or "/x" stays below dir, and a symlink in the tar is created as
// a link, never written through.
func Extract(r io.Reader, dir *os.File, o ExtractOptions) error {
	x := &extractor{dir: dir, o: o}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read archive: %w", err)
		}
		if err := x.entry(tr, hdr); err != nil {
			return err
		}
	}
	return x.dirTimes()
}

type extractor struct {
	dir  *os.File
	o    ExtractOptions
	dirs []dirTime // set last: entries created inside change a directory's mtime
}

type dirTime struct {
	rel string
	t   time.Time
}

// clean is a tar name relative to the extraction directory, "" for the
// directory itself; ".." cannot climb above it.
func clean(name string) string {
	return strings.TrimPrefix(path.Clean("/"+name), "/")
}

func (x *extractor) entry(tr *tar.Reader, hdr *tar.Header) error {
	rel := clean(rebase(hdr.Name, x.o.From, x.o.To))
	if x.o.NoDevices && (hdr.Typeflag == tar.TypeChar || hdr.Typeflag == tar.TypeBlock) {
		return nil
	}
	if rel == "" {
		return nil // the directory extracted into keeps its metadata, as Docker's
	}
	parent, err := x.parent(rel)
	if err != nil {
		return err
	}
	defer parent.Close()
	pfd, base := int(parent.Fd()), path.Base(rel)
	if err := kernelFS(pfd, "/"+path.Dir(rel)); err != nil {
		return err
	}
	var st unix.Stat_t
	err = unix.Fstatat(pfd, base, &st, unix.AT_SYMLINK_NOFOLLOW)
	exists := err == nil
	if err != nil && !errors.Is(err, unix.ENOENT) {
		return &os.PathError{Op: "lstat", Path: rel, Err: err}
	}
	isDir := exists && st.Mode&unix.S_IFMT == unix.S_IFDIR
	// moby's NoOverwriteDirNonDir, which docker cp sets both ways.
	switch {
	case isDir && hdr.Typeflag != tar.TypeDir:
		return fmt.Errorf("cannot overwrite directory %q with non-directory %q", "/"+rel, hdr.Name)
	case exists && !isDir && hdr.Typeflag == tar.TypeDir:
		return fmt.Errorf("cannot overwrite non-directory %q with directory %q", "/"+rel, hdr.Name)
	case exists && !isDir:
		if err := unix.Unlinkat(pfd, base, 0); err != nil {
			return &os.PathError{Op: "remove", Path: rel, Err: err}
		}
	}
	mode := uint32(hdr.Mode) & 0o7777
	if x.o.NoSetID {
		mode &^= unix.S_ISUID | unix.S_ISGID
	}
	switch hdr.Typeflag {
	case tar.TypeDir:
		if !exists {
			if err := unix.Mkdirat(pfd, base, 0o700); err != nil {
				return &os.PathError{Op: "mkdir", Path: rel, Err: err}
			}
		}
		fd, err := unix.Openat(pfd, base, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return &os.PathError{Op: "open", Path: rel, Err: err}
		}
		defer unix.Close(fd)
		if err := x.meta(fd, hdr, mode, rel); err != nil {
			return err
		}
		x.dirs = append(x.dirs, dirTime{rel, hdr.ModTime})
		return nil
	case tar.TypeReg, tar.TypeRegA:
		fd, err := unix.Openat(pfd, base, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
		if err != nil {
			return &os.PathError{Op: "create", Path: rel, Err: err}
		}
		f := os.NewFile(uintptr(fd), rel)
		defer f.Close()
		if _, err := io.Copy(f, tr); err != nil {
			return &os.PathError{Op: "write", Path: rel, Err: err}
		}
		if err := x.meta(fd, hdr, mode, rel); err != nil {
			return err
		}
		ts := []unix.Timespec{unix.NsecToTimespec(hdr.ModTime.UnixNano()), unix.NsecToTimespec(hdr.ModTime.UnixNano())}
		return unix.UtimesNanoAt(fd, "", ts, unix.AT_EMPTY_PATH)
	case tar.TypeSymlink:
		if err := unix.Symlinkat(hdr.Linkname, pfd, base); err != nil {
			return &os.PathError{Op: "symlink", Path: rel, Err: err}
		}
	case tar.TypeLink:
		target := clean(rebase(hdr.Linkname, x.o.From, x.o.To))
		if target == "" {
			return fmt.Errorf("%w: hard link %s to the extraction directory", ErrUnsafePath, hdr.Name)
		}
		tp, err := x.parent(target)
		if err != nil {
			return err
		}
		defer tp.Close()
		// No AT_SYMLINK_FOLLOW: a link to a symlink links the symlink.
		if err := unix.Linkat(int(tp.Fd()), path.Base(target), pfd, base, 0); err != nil {
			return &os.PathError{Op: "link", Path: rel, Err: err}
		}
		return nil
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		kind := map[byte]uint32{tar.TypeChar: unix.S_IFCHR, tar.TypeBlock: unix.S_IFBLK, tar.TypeFifo: unix.S_IFIFO}[hdr.Typeflag]
		dev := unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor))
		if err := unix.Mknodat(pfd, base, kind|mode, int(dev)); err != nil {
			return &os.PathError{Op: "mknod", Path: rel, Err: err}
		}
	default:
		return nil // xattr-only and other entries: Docker skips them too
	}
	// Links and nodes: set by name, never following the new entry.
	if uid, gid, ok := x.owner(hdr); ok {
		if err := unix.Fchownat(pfd, base, uid, gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return &os.PathError{Op: "chown", Path: rel, Err: err}
		}
	}
	if hdr.Typeflag != tar.TypeSymlink {
		if err := unix.Fchmodat(pfd, base, mode, 0); err != nil {
			return &os.PathError{Op: "chmod", Path: rel, Err: err}
		}
	}
	ts := []unix.Timespec{unix.NsecToTimespec(hdr.ModTime.UnixNano()), unix.NsecToTimespec(hdr.ModTime.UnixNano())}
	return unix.UtimesNanoAt(pfd, base, ts, unix.AT_SYMLINK_NOFOLLOW)
}

// owner is who an entry belongs to, and whether to set it at all.
func (x *extractor) owner(hdr *tar.Header) (uid, gid int, ok bool) {
	switch {
	case x.o.NoChown:
		return 0, 0, false
	case x.o.Owner != nil:
		return x.o.Owner[0], x.o.Owner[1], true
	}
	return hdr.Uid, hdr.Gid, true
}

// meta sets owner then mode (a chown clears set-id bits) on fd.
func (x *extractor) meta(fd int, hdr *tar.Header, mode uint32, rel string) error {
	if uid, gid, ok := x.owner(hdr); ok {
		if err := unix.Fchown(fd, uid, gid); err != nil {
			return &os.PathError{Op: "chown", Path: rel, Err: err}
		}
	}
	if err := unix.Fchmod(fd, mode); err != nil {
		return &os.PathError{Op: "chmod", Path: rel, Err: err}
	}
	return nil
}

// parent opens the directory holding rel, walking from the extraction
// directory one name at a time without following anything; missing
// directories are made (0755, as moby's MkdirAll in Untar). A symlink or
// file on the way refuses the entry.
func (x *extractor) parent(rel string) (*os.File, error) {
	fd, err := unix.Openat(int(x.dir.Fd()), ".", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	names := strings.Split(rel, "/")
	for i, n := range names[:len(names)-1] {
		next, err := unix.Openat(fd, n, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if errors.Is(err, unix.ENOENT) {
			if err = unix.Mkdirat(fd, n, 0o755); err == nil || errors.Is(err, unix.EEXIST) {
				if uid, gid, ok := x.owner(&tar.Header{}); ok && x.o.Owner != nil {
					unix.Fchownat(fd, n, uid, gid, unix.AT_SYMLINK_NOFOLLOW)
				}
				next, err = unix.Openat(fd, n, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
			}
		}
		unix.Close(fd)
		if errors.Is(err, unix.ELOOP) || errors.Is(err, unix.ENOTDIR) {
			return nil, fmt.Errorf("%w: %s is not a directory (a symlink is never followed here)", ErrUnsafePath, path.Join(names[:i+1]...))
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: path.Join(names[:i+1]...), Err: err}
		}
		fd = next
	}
	return os.NewFile(uintptr(fd), path.Dir(rel)), nil
}

// dirTimes sets the directories' mtimes once their contents are in.
func (x *extractor) dirTimes() error {
	for i := len(x.dirs) - 1; i >= 0; i-- {
		d := x.dirs[i]
		p, err := x.parent(d.rel)
		if err != nil {
			continue // changed meanwhile; times are best effort
		}
		ts := []unix.Timespec{unix.NsecToTimespec(d.t.UnixNano()), unix.NsecToTimespec(d.t.UnixNano())}
		unix.UtimesNanoAt(int(p.Fd()), path.Base(d.rel), ts, unix.AT_SYMLINK_NOFOLLOW)
		p.Close()
	}
	return nil
}
