package cp

import (
	"errors"
	"fmt"
	"os"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// Info is what a path in a root is, its last element not followed.
type Info struct {
	Exists bool
	IsDir  bool
	Mode   uint32 // st_mode
	Size   int64
	Link   string // the target of a symlink
}

// IsLink reports whether the path is a symlink.
func (i Info) IsLink() bool { return i.Mode&unix.S_IFMT == unix.S_IFLNK }

// OpenDir opens the directory dir inside root. Symlinks on the way are
// followed inside root only (openat2 RESOLVE_IN_ROOT, or
// filepath-securejoin's checked walk on kernels before 5.6): an absolute
// link or ".." resolves against root, never the host's "/". What a
// container swaps afterwards cannot move the returned descriptor
// (CVE-2018-15664: docker cp resolved the path, then used it by name).
func OpenDir(root *os.File, dir string) (*os.File, error) {
	h, err := pathrs.OpenatInRoot(root, dir)
	if err != nil {
		return nil, err
	}
	defer h.Close()
	f, err := pathrs.Reopen(h, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	return f, nil
}

// Lstat stats p inside root: its directory is resolved inside root, its
// last element is not followed. It returns the open directory too, for
// the caller to act on the entry through it; a missing entry is no error
// (Exists false), a missing directory is ErrNotFound.
func Lstat(root *os.File, p string) (*os.File, string, Info, error) {
	dir, base := Split(p)
	d, err := OpenDir(root, dir)
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, unix.ENOTDIR) {
		return nil, "", Info{}, fmt.Errorf("%s: %w", dir, ErrNotFound)
	}
	if err != nil {
		return nil, "", Info{}, err
	}
	i, err := statAt(d, base)
	if err != nil {
		d.Close()
		return nil, "", Info{}, err
	}
	return d, base, i, nil
}

func statAt(d *os.File, base string) (Info, error) {
	var st unix.Stat_t
	err := unix.Fstatat(int(d.Fd()), base, &st, unix.AT_SYMLINK_NOFOLLOW)
	if errors.Is(err, unix.ENOENT) {
		return Info{}, nil
	}
	if err != nil {
		return Info{}, &os.PathError{Op: "lstat", Path: base, Err: err}
	}
	i := Info{Exists: true, IsDir: st.Mode&unix.S_IFMT == unix.S_IFDIR, Mode: st.Mode, Size: st.Size}
	if i.IsLink() {
		if i.Link, err = readlinkAt(int(d.Fd()), base); err != nil {
			return Info{}, err
		}
	}
	return i, nil
}

func readlinkAt(dirfd int, name string) (string, error) {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(dirfd, name, buf)
	if err != nil {
		return "", &os.PathError{Op: "readlink", Path: name, Err: err}
	}
	return string(buf[:n]), nil
}

// kernelFS refuses a directory on procfs or sysfs: a copy into a running
// container goes through its mounts, and pocket, root on the host, must
// not write the kernel's files there (/proc/sys/kernel/core_pattern runs a
// program as host root) even where the container's own view is
// read-only or masked. Docker's daemon never sees those mounts at all.
func kernelFS(fd int, name string) error {
	var st unix.Statfs_t
	if err := unix.Fstatfs(fd, &st); err != nil {
		return &os.PathError{Op: "statfs", Path: name, Err: err}
	}
	switch st.Type {
	case unix.PROC_SUPER_MAGIC, unix.SYSFS_MAGIC, unix.CGROUP_SUPER_MAGIC, unix.CGROUP2_SUPER_MAGIC,
		unix.DEBUGFS_MAGIC, unix.SECURITYFS_MAGIC, unix.BPF_FS_MAGIC, unix.TRACEFS_MAGIC, unix.DEVPTS_SUPER_MAGIC,
		unix.SELINUX_MAGIC, unix.PSTOREFS_MAGIC, unix.EFIVARFS_MAGIC:
		return fmt.Errorf("%w: %s is on a kernel filesystem", ErrUnsafePath, name)
	}
	return nil
}
