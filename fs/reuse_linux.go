package fs

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// reusable opens the file at name in Options.Reuse when it may stand for
// the regular file entry hdr: a regular file reached without a symlink,
// with the entry's size, permission bits, owner and modification time,
// and no xattr (but the host's SELinux label). Its content is for
// reuseFile to compare. nil when there is no such file.
//
// The earlier layer is the store's, but what it holds came from an
// earlier build's context or image: it is opened beneath its directory
// with no symlink followed (openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS),
// first as O_PATH, so no FIFO or device node there is ever opened for
// reading.
func (u *unpacker) reusable(hdr *tar.Header, name string) *os.File {
	if u.noReuse || hdr.Typeflag != tar.TypeReg || hdr.ModTime.IsZero() || hasXattrRecords(hdr) {
		return nil
	}
	if u.reuse == nil {
		fd, err := unix.Open(u.o.Reuse, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			u.noReuse = true
			return nil
		}
		u.reuse = os.NewFile(uintptr(fd), u.o.Reuse)
	}
	how := unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_NOFOLLOW | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS | unix.RESOLVE_NO_XDEV,
	}
	pfd, err := unix.Openat2(int(u.reuse.Fd()), strings.TrimPrefix(name, "/"), &how)
	if err == unix.ENOSYS {
		u.noReuse = true // Linux < 5.6: written as without Reuse
	}
	if err != nil {
		return nil
	}
	defer unix.Close(pfd)
	var st unix.Stat_t
	if unix.Fstat(pfd, &st) != nil || !sameFile(&st, hdr) {
		return nil
	}
	fd, err := unix.Open(procFd(pfd), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	f := os.NewFile(uintptr(fd), name)
	if !noXattrs(fd) {
		f.Close()
		return nil
	}
	return f
}

// sameFile: st is a regular file that an entry hdr would have made.
func sameFile(st *unix.Stat_t, hdr *tar.Header) bool {
	return st.Mode&unix.S_IFMT == unix.S_IFREG && st.Size == hdr.Size &&
		int64(st.Mode&0o7777) == hdr.Mode&0o7777 &&
		int(st.Uid) == hdr.Uid && int(st.Gid) == hdr.Gid &&
		st.Mtim.Sec == hdr.ModTime.Unix() && st.Mtim.Nsec == int64(hdr.ModTime.Nanosecond())
}

// noXattrs: the file has no xattr but security.selinux, which the host
// sets and Unpack never writes.
func noXattrs(fd int) bool {
	n, err := unix.Flistxattr(fd, nil)
	if err != nil || n == 0 {
		return err == nil || err == unix.ENOTSUP
	}
	buf := make([]byte, n)
	if n, err = unix.Flistxattr(fd, buf); err != nil {
		return false
	}
	for _, k := range strings.Split(strings.TrimRight(string(buf[:n]), "\x00"), "\x00") {
		if k != "security.selinux" {
			return false
		}
	}
	return true
}

// hasXattrRecords: the entry carries xattrs (see xattrs).
func hasXattrRecords(hdr *tar.Header) bool {
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, "SCHILY.xattr.") {
			return true
		}
	}
	return false
}

// reuseFile reads the entry's content from r, comparing it with old's,
// and hard-links old at p when they are the same. At the first difference
// the file is written instead: what matched so far from old, then the
// rest from r. Where the link cannot be made (another filesystem, the
// link limit, protected_hardlinks) the same content is written from old.
// Either way p ends as the entry says.
func (u *unpacker) reuseFile(hdr *tar.Header, p string, old *os.File, r io.Reader) error {
	if u.cmp == nil {
		u.cmp = make([]byte, len(u.buf))
	}
	for off := int64(0); off < hdr.Size; {
		n := int(min(int64(len(u.buf)), hdr.Size-off))
		if _, err := io.ReadFull(r, u.buf[:n]); err != nil {
			return err
		}
		if m, _ := old.ReadAt(u.cmp[:n], off); m != n || !bytes.Equal(u.buf[:n], u.cmp[:n]) {
			return u.writeFrom(hdr, p, io.NewSectionReader(old, 0, off), u.buf[:n], r)
		}
		off += int64(n)
	}
	err := unix.Linkat(unix.AT_FDCWD, procFd(int(old.Fd())), unix.AT_FDCWD, p, unix.AT_SYMLINK_FOLLOW)
	if err == unix.EEXIST {
		if err = u.remove(p); err == nil {
			err = unix.Linkat(unix.AT_FDCWD, procFd(int(old.Fd())), unix.AT_FDCWD, p, unix.AT_SYMLINK_FOLLOW)
		}
	}
	if err == nil {
		return nil
	}
	return u.writeFrom(hdr, p, io.NewSectionReader(old, 0, hdr.Size), nil, bytes.NewReader(nil))
}

// writeFrom writes p from head (read with the second buffer), then mid,
// then the rest of r (read with the first, which mid may be part of).
func (u *unpacker) writeFrom(hdr *tar.Header, p string, head io.Reader, mid []byte, r io.Reader) error {
	f, err := u.create(p)
	if err != nil {
		return err
	}
	_, err = io.CopyBuffer(onlyWriter{f}, head, u.cmp)
	if err == nil {
		_, err = f.Write(mid)
	}
	if err == nil {
		_, err = io.CopyBuffer(onlyWriter{f}, r, u.buf)
	}
	if err != nil {
		f.Close()
		return err
	}
	return u.finishFile(hdr, p, f)
}

// closeReuse closes Options.Reuse's directory once Unpack is done.
func (u *unpacker) closeReuse() {
	if u.reuse != nil {
		u.reuse.Close()
		u.reuse = nil
	}
}
