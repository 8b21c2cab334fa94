package fs

import (
	"archive/tar"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Diff lists the changes of an overlay upper directory against its lower
// directories: a whiteout is Deleted, a path the lower directories have
// Modified, any other Added. Hidden paths and empty mount stubs are left
// out. The list is sorted by path, as `docker diff` prints it.
func Diff(upper string, o DiffOptions) ([]Change, error) {
	var out []Change
	err := walkUpper(upper, o, func(e upperEntry) error {
		kind := Added
		switch {
		case e.whiteout:
			kind = Deleted
		case inLower(o.Lower, e.rel):
			kind = Modified
		}
		out = append(out, Change{Path: "/" + e.rel, Kind: kind})
		return nil
	})
	if err != nil {
		return nil, err
	}
	SortChanges(out)
	return out, nil
}

// WriteDiff writes an overlay upper directory as an OCI layer tar (PAX):
// whiteout devices become ".wh.NAME" entries and opaque directories get a
// ".wh..wh..opq" entry (OCI image-spec layer.md "Whiteouts"); overlay's
// own xattrs are dropped; ids are the ones on disk; hidden paths and empty
// mount stubs are left out. Entries come in a fixed order (names sorted
// within each directory, a directory before its contents) and mtimes are
// clamped to o.Epoch, so the same tree gives the same bytes.
//
// The upper directory belongs to the container, which may change it while
// this runs: every entry is reached through its parent's descriptor and
// never through a symlink, and a file is only read once it is checked to
// be the regular file that was listed.
func WriteDiff(w io.Writer, upper string, o DiffOptions) error {
	t := newEntryWriter(w, o.Epoch)
	if err := walkUpper(upper, o, t.write); err != nil {
		return err
	}
	return t.tw.Close()
}

// entryWriter writes tar entries of a tree read through descriptors.
type entryWriter struct {
	tw    *tar.Writer
	epoch *time.Time
	links map[[2]uint64]string // (dev, inode) -> first name, for hardlinks
	buf   []byte
}

func newEntryWriter(w io.Writer, epoch *time.Time) *entryWriter {
	return &entryWriter{tw: tar.NewWriter(w), epoch: epoch, links: map[[2]uint64]string{}, buf: make([]byte, copyBufSize)}
}

// write writes one entry: a whiteout as ".wh.NAME", an opaque directory
// followed by its ".wh..wh..opq" marker.
func (t *entryWriter) write(e upperEntry) error {
	hdr, err := t.header(e)
	if err != nil || hdr == nil {
		return err
	}
	if e.whiteout {
		return t.tw.WriteHeader(hdr)
	}
	var body io.Reader
	if hdr.Typeflag == tar.TypeReg {
		f, err := openRegular(e)
		if err != nil {
			return err
		}
		defer f.Close()
		body = f
	}
	if hdr.Typeflag != tar.TypeLink {
		addXattrs(hdr, e)
	}
	return t.put(hdr, body, e.opaque)
}

// header is e's tar header but its xattrs: a whiteout as ".wh.NAME", a
// regular file whose inode was written before as a hard link to its
// first name; nil for a socket, which has no tar form.
func (t *entryWriter) header(e upperEntry) (*tar.Header, error) {
	st := &e.st
	mtime := time.Unix(st.Mtim.Unix()).Truncate(time.Second)
	if t.epoch != nil && mtime.After(*t.epoch) {
		mtime = t.epoch.Truncate(time.Second)
	}
	hdr := &tar.Header{
		Name:    e.rel,
		Mode:    int64(st.Mode & 0o7777),
		Uid:     int(st.Uid),
		Gid:     int(st.Gid),
		ModTime: mtime.UTC(),
		Format:  tar.FormatPAX,
	}
	if e.whiteout {
		dir, name := path.Split(e.rel)
		hdr.Name = dir + whiteoutPrefix + name
		hdr.Typeflag = tar.TypeReg
		hdr.Mode = 0o644
		hdr.Uid, hdr.Gid = 0, 0
		return hdr, nil
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		hdr.Typeflag = tar.TypeDir
		hdr.Name += "/"
	case unix.S_IFLNK:
		hdr.Typeflag = tar.TypeSymlink
		target, err := readlinkat(e.dirfd, e.name)
		if err != nil {
			return nil, err
		}
		hdr.Linkname = target
	case unix.S_IFREG:
		key := [2]uint64{st.Dev, st.Ino}
		if first, ok := t.links[key]; ok {
			hdr.Typeflag = tar.TypeLink
			hdr.Linkname = first
			break
		}
		if st.Nlink > 1 {
			t.links[key] = e.rel
		}
		hdr.Typeflag = tar.TypeReg
		hdr.Size = st.Size
	case unix.S_IFCHR, unix.S_IFBLK:
		hdr.Typeflag = tar.TypeChar
		if st.Mode&unix.S_IFMT == unix.S_IFBLK {
			hdr.Typeflag = tar.TypeBlock
		}
		hdr.Devmajor = int64(unix.Major(st.Rdev))
		hdr.Devminor = int64(unix.Minor(st.Rdev))
	case unix.S_IFIFO:
		hdr.Typeflag = tar.TypeFifo
	default:
		return nil, nil
	}
	return hdr, nil
}

// put writes hdr, then for a regular file exactly hdr.Size bytes of
// body, then for an opaque directory its ".wh..wh..opq" marker.
func (t *entryWriter) put(hdr *tar.Header, body io.Reader, opaque bool) error {
	if err := t.tw.WriteHeader(hdr); err != nil {
		return err
	}
	if hdr.Typeflag == tar.TypeReg && body != nil {
		// Exactly the size listed: a file the container grows or
		// shrinks meanwhile cannot corrupt the stream.
		n, err := io.CopyBuffer(t.tw, io.LimitReader(body, hdr.Size), t.buf)
		if err != nil {
			return fmt.Errorf("read %s: %w", hdr.Name, err)
		}
		if n < hdr.Size {
			return fmt.Errorf("read %s: %w", hdr.Name, io.ErrUnexpectedEOF)
		}
	}
	if opaque {
		return t.tw.WriteHeader(&tar.Header{
			Name: strings.TrimSuffix(hdr.Name, "/") + "/" + opaqueMarker, Typeflag: tar.TypeReg, Mode: 0o644,
			ModTime: hdr.ModTime, Format: tar.FormatPAX,
		})
	}
	return nil
}

// upperEntry is one entry of the upper directory, reached through the
// descriptor of its parent.
type upperEntry struct {
	rel      string // "etc/passwd"
	dirfd    int
	name     string
	fd       int // a directory's own descriptor, opened without following; -1 for others
	st       unix.Stat_t
	unstat   bool // st not read: a regular file by its directory entry (prune walks only)
	whiteout bool
	opaque   bool
}

// walkUpper calls fn for every entry of upper but its root, a directory
// before its contents and names sorted, skipping hidden paths and empty
// mount stubs. No symlink is followed.
func walkUpper(upper string, o DiffOptions, fn func(upperEntry) error) error {
	fd, err := unix.Open(upper, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: upper, Err: err}
	}
	defer unix.Close(fd)
	return newUpperWalk(o, fn).dir(fd, "")
}

func newUpperWalk(o DiffOptions, fn func(upperEntry) error) *upperWalk {
	w := &upperWalk{o: o, fn: fn, hidden: map[string]bool{}, stubs: map[string]bool{}}
	for _, h := range o.Hidden {
		w.hidden[strings.TrimPrefix(path.Clean("/"+h), "/")] = true
	}
	for _, s := range o.Stubs {
		w.stubs[strings.TrimPrefix(path.Clean("/"+s), "/")] = true
	}
	return w
}

type upperWalk struct {
	o      DiffOptions
	fn     func(upperEntry) error
	hidden map[string]bool
	stubs  map[string]bool
	// prune removes what the walk skips (hidden paths, empty mount
	// stubs) and sockets (no tar form) instead of passing them over,
	// keeping the times of each directory it removes from.
	prune bool
}

func (w *upperWalk) dir(fd int, rel string) error {
	ents, err := readDirents(fd)
	if err != nil {
		return fmt.Errorf("read directory /%s: %w", rel, err)
	}
	var pruned *unix.Stat_t // the directory's times, once something is removed
	remove := func(name, p string) error {
		if pruned == nil {
			pruned = new(unix.Stat_t)
			if err := unix.Fstat(fd, pruned); err != nil {
				return &os.PathError{Op: "fstat", Path: "/" + rel, Err: err}
			}
		}
		if err := removeAt(fd, name); err != nil {
			return fmt.Errorf("prune /%s: %w", p, err)
		}
		return nil
	}
	for _, d := range ents {
		name := d.name
		p := name
		if rel != "" {
			p = rel + "/" + name
		}
		if w.hidden[p] {
			if w.prune {
				if err := remove(name, p); err != nil {
					return err
				}
			}
			continue
		}
		e := upperEntry{rel: p, dirfd: fd, name: name, fd: -1}
		if w.prune && d.typ == unix.DT_REG && !w.stubs[p] {
			// Nothing to decide from its stat: fn stats it through
			// the descriptor it reads it by, one call fewer per file.
			e.unstat = true
			if err := w.fn(e); err != nil {
				return err
			}
			continue
		}
		if err := unix.Fstatat(fd, name, &e.st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			if errors.Is(err, unix.ENOENT) {
				continue // removed by the running container meanwhile
			}
			return &os.PathError{Op: "lstat", Path: "/" + p, Err: err}
		}
		isDir := e.st.Mode&unix.S_IFMT == unix.S_IFDIR
		e.whiteout = e.st.Mode&unix.S_IFMT == unix.S_IFCHR && e.st.Rdev == 0
		if isDir {
			e.fd, err = unix.Openat(fd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
			if err != nil {
				return &os.PathError{Op: "open", Path: "/" + p, Err: err}
			}
			e.opaque = fgetXattr(e.fd, w.o.opaqueXattr()) == "y"
		}
		skip := (w.stubs[p] && isStub(e.fd, &e.st)) || (isDir && !e.opaque && w.onlyStubs(e.fd, p))
		if w.prune && e.st.Mode&unix.S_IFMT == unix.S_IFSOCK {
			skip = true
		}
		if skip {
			if e.fd >= 0 {
				unix.Close(e.fd)
			}
			if w.prune {
				if err := remove(name, p); err != nil {
					return err
				}
			}
			continue
		}
		err = w.fn(e)
		if err == nil && e.fd >= 0 {
			err = w.dir(e.fd, p)
		}
		if e.fd >= 0 {
			unix.Close(e.fd)
		}
		if err != nil {
			return err
		}
	}
	if pruned != nil {
		// The layer records the directory as the container left it.
		ts := []unix.Timespec{pruned.Atim, pruned.Mtim}
		if err := unix.UtimesNanoAt(fd, ".", ts, 0); err != nil {
			return &os.PathError{Op: "utimes", Path: "/" + rel, Err: err}
		}
	}
	return nil
}

// removeAt removes name from the directory open as dirfd, with all it
// holds; nothing below is followed.
func removeAt(dirfd int, name string) error {
	err := unix.Unlinkat(dirfd, name, 0)
	if errors.Is(err, unix.EISDIR) {
		return os.RemoveAll(fdPath(dirfd, name))
	}
	if err != nil && !errors.Is(err, unix.ENOENT) {
		return &os.PathError{Op: "unlink", Path: name, Err: err}
	}
	return nil
}

// onlyStubs reports whether directory rel (open as fd) is in the upper
// directory only for what pocket mounts: it holds something, and all of
// it is hidden, empty mount stubs, or directories of that kind. Overlay
// copied it up, or pocket made it, to create a mount target: no change
// of the container's (Docker keeps such files in its init layer).
func (w *upperWalk) onlyStubs(fd int, rel string) bool {
	if !w.leadsToStub(rel) {
		return false
	}
	names, err := readNames(fd)
	if err != nil || len(names) == 0 {
		return false
	}
	for _, name := range names {
		p := rel + "/" + name
		if w.hidden[p] {
			continue
		}
		var st unix.Stat_t
		if err := unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return false
		}
		if st.Mode&unix.S_IFMT != unix.S_IFDIR {
			if w.stubs[p] && isStub(-1, &st) {
				continue
			}
			return false
		}
		child, err := unix.Openat(fd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return false
		}
		ok := (w.stubs[p] && isStub(child, &st)) ||
			(getXattr(fdPath(fd, name), w.o.opaqueXattr()) != "y" && w.onlyStubs(child, p))
		unix.Close(child)
		if !ok {
			return false
		}
	}
	return true
}

// leadsToStub reports whether a hidden path or a stub lies under rel.
func (w *upperWalk) leadsToStub(rel string) bool {
	for p := range w.hidden {
		if strings.HasPrefix(p, rel+"/") {
			return true
		}
	}
	for p := range w.stubs {
		if strings.HasPrefix(p, rel+"/") {
			return true
		}
	}
	return false
}

// isStub reports whether an entry is an empty regular file or an empty
// directory (fd open on it), what pocket makes to mount on.
func isStub(fd int, st *unix.Stat_t) bool {
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		return st.Size == 0
	case unix.S_IFDIR:
		names, err := readNames(fd)
		return err == nil && len(names) == 0
	}
	return false
}

// readNames lists a directory by descriptor, sorted.
func readNames(fd int) ([]string, error) {
	d, err := unix.Dup(fd)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(d), "dir")
	defer f.Close()
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	return names, nil
}

// dirent is a directory entry's name and type (DT_*, DT_UNKNOWN where
// the filesystem does not say).
type dirent struct {
	name string
	typ  uint8
}

// readDirents lists a directory by descriptor with getdents64, sorted
// by name, keeping the type each entry has there.
func readDirents(fd int) ([]dirent, error) {
	if _, err := unix.Seek(fd, 0, io.SeekStart); err != nil {
		return nil, err
	}
	var out []dirent
	buf := make([]byte, 32<<10)
	for {
		n, err := unix.Getdents(fd, buf)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			break
		}
		// struct linux_dirent64: ino u64, off s64, reclen u16, type u8,
		// name NUL-terminated.
		for b := buf[:n]; len(b) >= 19; {
			reclen := int(binary.NativeEndian.Uint16(b[16:18]))
			if reclen < 19 || reclen > len(b) {
				return nil, fmt.Errorf("getdents: bad record length %d", reclen)
			}
			ino := binary.NativeEndian.Uint64(b[0:8])
			name := b[19:reclen]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			if ino != 0 && string(name) != "." && string(name) != ".." {
				out = append(out, dirent{name: string(name), typ: b[18]})
			}
			b = b[reclen:]
		}
	}
	slices.SortFunc(out, func(a, b dirent) int { return strings.Compare(a.name, b.name) })
	return out, nil
}

// fdPath names an entry through its parent's descriptor, for the l*xattr
// calls that have no *at form: the parent is pinned and the last
// component is not followed.
func fdPath(dirfd int, name string) string {
	return procFd(dirfd) + "/" + name
}

// procFd names the file a descriptor is open on.
func procFd(fd int) string { return "/proc/self/fd/" + strconv.Itoa(fd) }

// fgetXattr reads a short xattr through a descriptor.
func fgetXattr(fd int, key string) string {
	buf := make([]byte, 64)
	n, err := unix.Fgetxattr(fd, key, buf)
	if err != nil {
		return ""
	}
	return string(buf[:n])
}

func getXattr(p, key string) string {
	buf := make([]byte, 64)
	n, err := unix.Lgetxattr(p, key, buf)
	if err != nil {
		return ""
	}
	return string(buf[:n])
}

// addXattrs records the entry's xattrs but overlay's own as PAX records
// (xattrStripper, read-only). Unreadable xattrs are left out, as the
// filesystem may not support them.
func addXattrs(hdr *tar.Header, e upperEntry) {
	x := xattrStripper{readOnly: true}
	hdr.PAXRecords, _ = x.xattrs(-1, fdPath(e.dirfd, e.name), e.rel, true)
}

func readlinkat(dirfd int, name string) (string, error) {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(dirfd, name, buf)
	if err != nil {
		return "", &os.PathError{Op: "readlink", Path: name, Err: err}
	}
	return string(buf[:n]), nil
}

// openRegular opens the listed regular file, refusing whatever replaced
// it since it was listed (a symlink to a host file, a FIFO that would
// block).
func openRegular(e upperEntry) (*os.File, error) {
	fd, err := openRegularFd(e)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), e.rel), nil
}

// openRegularFd is openRegular's descriptor, for a caller that reads
// it with read(2) alone: an *os.File costs a fcntl, an epoll_ctl and a
// finalizer per file. The file must still be the inode listed.
func openRegularFd(e upperEntry) (int, error) {
	var st unix.Stat_t
	fd, err := openEntry(e, &st)
	if err == nil && (st.Ino != e.st.Ino || st.Dev != e.st.Dev) {
		unix.Close(fd)
		return -1, errReplaced(e.rel)
	}
	return fd, err
}

// openEntry opens e for reading without following it and stats it
// through that descriptor into st: it must be a regular file (not a
// symlink to a host file, not a FIFO that would block).
func openEntry(e upperEntry, st *unix.Stat_t) (int, error) {
	fd, err := unix.Openat(e.dirfd, e.name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, &os.PathError{Op: "open", Path: "/" + e.rel, Err: err}
	}
	if err := unix.Fstat(fd, st); err != nil {
		unix.Close(fd)
		return -1, &os.PathError{Op: "fstat", Path: "/" + e.rel, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		unix.Close(fd)
		return -1, errReplaced(e.rel)
	}
	return fd, nil
}

func errReplaced(rel string) error {
	return fmt.Errorf("read /%s: %w: replaced while committing", rel, ErrUnsafeEntry)
}

// inLower reports whether rel exists in the lower directories (topmost
// first), looking at each component without following symlinks: a
// whiteout or a non-directory on the way hides it.
func inLower(lower []string, rel string) bool {
	parts := strings.Split(rel, "/")
	for _, l := range lower {
		p := l
		for i, part := range parts {
			p += "/" + part
			var st unix.Stat_t
			if err := unix.Lstat(p, &st); err != nil {
				break
			}
			if st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == 0 {
				return false
			}
			if i == len(parts)-1 {
				return true
			}
			if st.Mode&unix.S_IFMT != unix.S_IFDIR {
				break
			}
			if getXattr(p, DefaultOpaqueXattr) == "y" || getXattr(p, UserOpaqueXattr) == "y" {
				// An opaque directory hides the layers below it.
				return existsUnder(p, parts[i+1:])
			}
		}
	}
	return false
}

// existsUnder checks the rest of a path inside one layer only.
func existsUnder(dir string, parts []string) bool {
	p := dir
	for i, part := range parts {
		p += "/" + part
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return false
		}
		if st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == 0 {
			return false
		}
		if i < len(parts)-1 && st.Mode&unix.S_IFMT != unix.S_IFDIR {
			return false
		}
	}
	return true
}
