package build

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// layerFS is the merged view of an image's unpacked layers, read without
// mounting: an overlay lookup done by hand, for securejoin.SecureJoinVFS
// to resolve a COPY destination inside the image. Each layer is walked
// component by component with lstat, descending only into real
// directories, so no symlink in a layer (which the image controls) is
// ever followed on the host.
type layerFS struct {
	dirs []string // top layer first
}

var errHidden = &os.PathError{Op: "lstat", Err: fs.ErrNotExist}

// find returns the host path of name in the topmost layer that has it.
func (l *layerFS) find(name string) (string, os.FileInfo, error) {
	parts := strings.FieldsFunc(filepath.Clean("/"+name), func(r rune) bool { return r == '/' })
	if len(parts) == 0 {
		if len(l.dirs) == 0 {
			return "", nil, errHidden
		}
		fi, err := os.Lstat(l.dirs[0])
		return l.dirs[0], fi, err
	}
	for _, d := range l.dirs {
		cur := d
		opaque := false
		for i, part := range parts {
			p := filepath.Join(cur, part)
			fi, err := os.Lstat(p)
			if err != nil {
				break
			}
			if isWhiteout(fi) {
				return "", nil, errHidden
			}
			if i == len(parts)-1 {
				return p, fi, nil
			}
			if !fi.IsDir() {
				// A file here hides whatever lower layers hold below it.
				return "", nil, errHidden
			}
			if isOpaque(p) {
				opaque = true
			}
			cur = p
		}
		if opaque {
			return "", nil, errHidden
		}
	}
	return "", nil, errHidden
}

func (l *layerFS) Lstat(name string) (os.FileInfo, error) {
	_, fi, err := l.find(name)
	return fi, err
}

func (l *layerFS) Readlink(name string) (string, error) {
	p, fi, err := l.find(name)
	if err != nil {
		return "", err
	}
	if fi.Mode()&os.ModeSymlink == 0 {
		return "", &os.PathError{Op: "readlink", Path: name, Err: unix.EINVAL}
	}
	return os.Readlink(p)
}

// readFile reads a regular file of the image (already resolved) without
// following a symlink.
func (l *layerFS) readFile(name string) ([]byte, error) {
	p, fi, err := l.find(name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, errors.New(name + ": not a regular file")
	}
	fd, err := unix.Open(p, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: name, Err: err}
	}
	f := os.NewFile(uintptr(fd), p)
	defer f.Close()
	return readAllLimit(f, 4<<20)
}

// isWhiteout: overlayfs marks a deleted entry with a 0/0 character device.
func isWhiteout(fi os.FileInfo) bool {
	if fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	st := statT(fi)
	return st != nil && st.Rdev == 0
}
