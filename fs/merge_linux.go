package fs

import (
	"errors"
	"io"
	"os"
	"slices"

	"golang.org/x/sys/unix"
)

// WriteMerged writes the tree overlay shows for dirs (upper first, then
// the lower directories, topmost first) as one flat tar, as `docker
// export` does: a whiteout hides what is below it, an opaque directory
// hides the directories below it, and no whiteout or opaque marker is
// written. opaqueXattr is the xattr marking opaque directories (""
// means DefaultOpaqueXattr). Entries are read through descriptors and no
// symlink is followed, so a container cannot point the export at a host
// file.
func WriteMerged(w io.Writer, dirs []string, opaqueXattr string) error {
	if opaqueXattr == "" {
		opaqueXattr = DefaultOpaqueXattr
	}
	var fds []int
	defer func() {
		for _, fd := range fds {
			unix.Close(fd)
		}
	}()
	for _, d := range dirs {
		fd, err := unix.Open(d, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return &os.PathError{Op: "open", Path: d, Err: err}
		}
		fds = append(fds, fd)
	}
	m := &merger{t: newEntryWriter(w, nil), xattr: opaqueXattr}
	if err := m.dir("", fds); err != nil {
		return err
	}
	return m.t.tw.Close()
}

type merger struct {
	t     *entryWriter
	xattr string
}

// dir writes the merged contents of directory rel, open in each layer
// that contributes to it (topmost first).
func (m *merger) dir(rel string, fds []int) error {
	var names []string
	for _, fd := range fds {
		n, err := readNames(fd)
		if err != nil {
			return &os.PathError{Op: "readdir", Path: "/" + rel, Err: err}
		}
		names = append(names, n...)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	for _, name := range names {
		p := name
		if rel != "" {
			p = rel + "/" + name
		}
		if err := m.entry(p, name, fds); err != nil {
			return err
		}
	}
	return nil
}

// entry writes the topmost version of name, found in the first of fds
// that has it, unless that is a whiteout.
func (m *merger) entry(rel, name string, fds []int) error {
	for i, fd := range fds {
		e := upperEntry{rel: rel, dirfd: fd, name: name}
		if err := unix.Fstatat(fd, name, &e.st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			if errors.Is(err, unix.ENOENT) {
				continue
			}
			return &os.PathError{Op: "lstat", Path: "/" + rel, Err: err}
		}
		if isWhiteoutStat(&e.st) {
			return nil
		}
		if e.st.Mode&unix.S_IFMT != unix.S_IFDIR {
			return m.t.write(e)
		}
		if err := m.t.write(e); err != nil {
			return err
		}
		children, err := m.childDirs(name, fds[i:])
		defer func() {
			for _, c := range children {
				unix.Close(c)
			}
		}()
		if err != nil {
			return err
		}
		return m.dir(rel, children)
	}
	return nil
}

// childDirs opens directory name in each of fds from the first down,
// stopping after an opaque one or at one where name is not a directory.
func (m *merger) childDirs(name string, fds []int) ([]int, error) {
	var out []int
	for _, fd := range fds {
		var st unix.Stat_t
		if err := unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			if errors.Is(err, unix.ENOENT) {
				continue
			}
			return out, err
		}
		if st.Mode&unix.S_IFMT != unix.S_IFDIR {
			break
		}
		c, err := unix.Openat(fd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return out, &os.PathError{Op: "open", Path: name, Err: err}
		}
		out = append(out, c)
		if getXattr(fdPath(fd, name), m.xattr) == "y" {
			break
		}
	}
	return out, nil
}

func isWhiteoutStat(st *unix.Stat_t) bool {
	return st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == 0
}
