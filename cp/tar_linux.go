package cp

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"golang.org/x/sys/unix"
)

// WriteTar writes the entry base of the directory dir, and everything
// below it when it is a directory, as a tar to w, the top entry named
// name ("." for a directory's contents, as "dir/." asks).
//
// The tree may belong to a running container that changes it meanwhile:
// each entry is reached through its parent's descriptor, never through a
// symlink (a symlink is archived as the link, as `docker cp` does: one
// pointing at /etc/shadow copies the link, not the host's file), and a
// file is read only once it is checked to be the regular file listed.
// Owners are numeric: no user or group name is looked up, so nothing of
// the container's (its /etc/passwd, its libnss) is ever read or loaded
// on the host's behalf (CVE-2019-14271: docker cp's helper loaded the
// container's libnss_*.so as host root).
func WriteTar(w io.Writer, dir *os.File, base, name string) error {
	t := &tarWriter{tw: tar.NewWriter(w), links: map[[2]uint64]string{}, buf: make([]byte, 128<<10)}
	if err := t.entry(int(dir.Fd()), base, name); err != nil {
		return err
	}
	return t.tw.Close()
}

type tarWriter struct {
	tw    *tar.Writer
	links map[[2]uint64]string // (dev, inode) -> first name, for hard links
	buf   []byte
}

func (t *tarWriter) entry(dirfd int, base, name string) error {
	var st unix.Stat_t
	if err := unix.Fstatat(dirfd, base, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		if errors.Is(err, unix.ENOENT) && name != "." {
			return nil // removed while listed
		}
		return &os.PathError{Op: "lstat", Path: name, Err: err}
	}
	hdr := &tar.Header{
		Name:    name,
		Mode:    int64(st.Mode & 0o7777),
		Uid:     int(st.Uid),
		Gid:     int(st.Gid),
		ModTime: time.Unix(st.Mtim.Sec, 0), // whole seconds, as moby's archive: no PAX record
		Format:  tar.FormatPAX,
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		return t.dir(dirfd, base, name, hdr, &st)
	case unix.S_IFREG:
		key := [2]uint64{st.Dev, st.Ino}
		if first, ok := t.links[key]; ok && st.Nlink > 1 {
			hdr.Typeflag, hdr.Linkname = tar.TypeLink, first
			return t.tw.WriteHeader(hdr)
		}
		if st.Nlink > 1 {
			t.links[key] = name
		}
		return t.file(dirfd, base, hdr, &st)
	case unix.S_IFLNK:
		target, err := readlinkAt(dirfd, base)
		if err != nil {
			return err
		}
		hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, target
	case unix.S_IFCHR, unix.S_IFBLK:
		hdr.Typeflag = tar.TypeChar
		if st.Mode&unix.S_IFMT == unix.S_IFBLK {
			hdr.Typeflag = tar.TypeBlock
		}
		hdr.Devmajor, hdr.Devminor = int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev))
	case unix.S_IFIFO:
		hdr.Typeflag = tar.TypeFifo
	default:
		return nil // sockets have no tar form; Docker skips them too
	}
	return t.tw.WriteHeader(hdr)
}

// dir writes a directory and, in name order, its entries.
func (t *tarWriter) dir(dirfd int, base, name string, hdr *tar.Header, st *unix.Stat_t) error {
	fd, err := unix.Openat(dirfd, base, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: name, Err: err}
	}
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()
	if err := same(fd, st, unix.S_IFDIR); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	hdr.Typeflag = tar.TypeDir
	hdr.Name = name + "/"
	if err := t.tw.WriteHeader(hdr); err != nil {
		return err
	}
	if kernelFS(fd, name) != nil {
		// /proc, /sys and the like of a running container: the
		// directory itself, not the kernel's files (Docker's daemon
		// never sees those mounts).
		return nil
	}
	names, err := f.Readdirnames(-1)
	if err != nil {
		return &os.PathError{Op: "readdir", Path: name, Err: err}
	}
	slices.Sort(names)
	for _, n := range names {
		if err := t.entry(fd, n, name+"/"+n); err != nil {
			return err
		}
	}
	return nil
}

// file writes a regular file's header and exactly its listed size: a
// file the container shrinks meanwhile is padded with zeros, one it
// grows is cut, so the tar stays well formed.
func (t *tarWriter) file(dirfd int, base string, hdr *tar.Header, st *unix.Stat_t) error {
	// O_NONBLOCK: a FIFO swapped in after the stat must not block the
	// open; it is then refused by same.
	fd, err := unix.Openat(dirfd, base, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: hdr.Name, Err: err}
	}
	f := os.NewFile(uintptr(fd), hdr.Name)
	defer f.Close()
	if err := same(fd, st, unix.S_IFREG); err != nil {
		return fmt.Errorf("%s: %w", hdr.Name, err)
	}
	hdr.Typeflag = tar.TypeReg
	hdr.Size = st.Size
	if err := t.tw.WriteHeader(hdr); err != nil {
		return err
	}
	n, err := io.CopyBuffer(t.tw, io.LimitReader(f, st.Size), t.buf)
	if err != nil {
		return &os.PathError{Op: "read", Path: hdr.Name, Err: err}
	}
	for ; n < st.Size; n++ {
		if _, err := t.tw.Write([]byte{0}); err != nil {
			return err
		}
	}
	return nil
}

// same checks that fd is the inode that was listed, of the listed type.
func same(fd int, listed *unix.Stat_t, kind uint32) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT != kind || st.Dev != listed.Dev || st.Ino != listed.Ino {
		return errors.New("changed while being copied")
	}
	return nil
}
