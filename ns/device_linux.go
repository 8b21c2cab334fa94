package ns

import (
	"errors"
	"fmt"
	"os"
	"path"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// node is a device node to make: type and permission bits, device
// number, owner, and the host node that stands in for it where mknod is
// refused.
type node struct {
	mode     uint32 // S_IFCHR, S_IFBLK or S_IFIFO | permissions
	rdev     uint64
	uid, gid uint32
	source   string
}

// devices makes Config.Devices. Each path is resolved inside the rootfs:
// its parents are created there, symlinks in them resolve inside the root
// (see root.open), and the node is made by name in its parent directory,
// where mknod(2) and O_CREAT|O_EXCL never follow a symlink: an image
// cannot carry a node, or a bind mount of one, out to the host
// (CVE-2019-19921, CVE-2021-30465; runc's createDeviceNode does the same).
func (r *root) devices(devs []Device, userNS bool) error {
	for _, d := range devs {
		if err := r.device(d, userNS); err != nil {
			return &os.PathError{Op: "create device", Path: d.Path, Err: err}
		}
	}
	return nil
}

func (r *root) device(d Device, userNS bool) error {
	var typ uint32
	switch d.Type {
	case "c", "u":
		typ = unix.S_IFCHR
	case "b":
		typ = unix.S_IFBLK
	case "p":
		typ = unix.S_IFIFO // a named pipe: no numbers, and mknod needs no privilege
	default:
		return fmt.Errorf("device type %q: want b, c, u or p", d.Type)
	}
	dir, name := path.Split(path.Clean("/" + d.Path))
	if name == "" {
		return errors.New("no file name")
	}
	n := node{mode: typ | 0o666, source: d.Source}
	if typ != unix.S_IFIFO {
		n.rdev = unix.Mkdev(uint32(d.Major), uint32(d.Minor))
	}
	if d.FileMode != nil {
		n.mode = typ | uint32(d.FileMode.Perm())
	}
	if d.UID != nil {
		n.uid = *d.UID
	}
	if d.GID != nil {
		n.gid = *d.GID
	}
	// Parents are made inside the root, through dangling symlinks too.
	parent, err := r.open(dir, kindDir)
	if err != nil {
		return err
	}
	defer parent.Close()
	pfd, err := pathrs.Reopen(parent, unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC)
	if err != nil {
		return err
	}
	defer pfd.Close()
	return n.make(int(pfd.Fd()), name, userNS)
}

// make creates the node as name in the directory dfd: mknod, or where
// that is refused (a user namespace, or no CAP_MKNOD) a bind mount of the
// host's node on an empty file. Either way the result is checked to be the
// device asked for. A node of that device already there is kept, as runc
// does (`--privileged -v /dev:/dev`); anything else there (a file, an
// image's symlink) is an error.
func (n node) make(dfd int, name string, userNS bool) error {
	if !userNS || n.mode&unix.S_IFMT == unix.S_IFIFO {
		err := unix.Mknodat(dfd, name, n.mode, int(n.rdev))
		if err == nil {
			return n.own(dfd, name)
		}
		if errors.Is(err, unix.EEXIST) {
			return n.existing(dfd, name, err)
		}
		if !errors.Is(err, unix.EPERM) {
			return err
		}
	}
	if n.source == "" {
		return fmt.Errorf("mknod: %w, and no host node to bind", unix.EPERM)
	}
	fd, err := unix.Openat(dfd, name, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
	if errors.Is(err, unix.EEXIST) {
		return n.existing(dfd, name, err)
	}
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := unix.Mount(n.source, fmt.Sprintf("/proc/self/fd/%d", fd), "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind %s: %w", n.source, err)
	}
	// The host path was resolved again by mount(2): check it still names
	// the device the parent saw.
	f, err := n.check(dfd, name)
	if err != nil {
		return fmt.Errorf("bind %s: %w", n.source, err)
	}
	return f.Close()
}

// existing accepts what is at name if it is the device n, else returns
// err (EEXIST).
func (n node) existing(dfd int, name string, err error) error {
	f, cerr := n.check(dfd, name)
	if cerr != nil {
		return err
	}
	return f.Close()
}

// own gives the node just made its owner and mode (the umask took bits).
func (n node) own(dfd int, name string) error {
	f, err := n.check(dfd, name)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.Fchownat(int(f.Fd()), "", int(n.uid), int(n.gid), unix.AT_EMPTY_PATH); err != nil {
		return &os.PathError{Op: "chown", Path: name, Err: err}
	}
	// Through the handle: name is not looked up again.
	if err := unix.Chmod(fdPath(f), n.mode&0o7777); err != nil {
		return &os.PathError{Op: "chmod", Path: name, Err: err}
	}
	return nil
}

// check opens name (not following a symlink) and makes sure it is the
// device n: type and major:minor.
func (n node) check(dfd int, name string) (*os.File, error) {
	fd, err := unix.Openat(dfd, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), name)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		f.Close()
		return nil, err
	}
	if st.Mode&unix.S_IFMT != n.mode&unix.S_IFMT || st.Rdev != n.rdev {
		f.Close()
		return nil, fmt.Errorf("%s is %#o %d:%d, not the device %#o %d:%d", name,
			st.Mode&unix.S_IFMT, unix.Major(st.Rdev), unix.Minor(st.Rdev),
			n.mode&unix.S_IFMT, unix.Major(n.rdev), unix.Minor(n.rdev))
	}
	return f, nil
}
