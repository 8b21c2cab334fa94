package ns

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strconv"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// What to create when a mount target is missing.
type kind int

const (
	kindNone kind = iota // must exist
	kindDir
	kindFile
	// kindSystem is a directory pocket mounts its own filesystem on
	// (proc, sys, dev, ...): resolved without following any symlink, an
	// image's symlink or file there replaced (see mountpoint).
	kindSystem
)

// root is the container's root filesystem before pivot_root. Every path
// in it is resolved inside it (openat2 RESOLVE_IN_ROOT through pathrs), so
// a symlink in the image such as /proc -> /host/x or /etc/hosts ->
// /etc/shadow points into the rootfs, never at the host (CVE-2019-19921,
// CVE-2021-30465).
type root struct {
	dir  *os.File // O_PATH handle of the rootfs mount
	path string   // host path of the rootfs mount
}

func openRoot(dir string) (*root, error) {
	f, err := os.OpenFile(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	return &root{dir: f, path: dir}, nil
}

// open returns an O_PATH handle of target inside the root, creating it
// (parents 0755, a directory or an empty 0644 file) when missing and k
// says so.
func (r *root) open(target string, k kind) (*os.File, error) {
	if k == kindSystem {
		return r.mountpoint(target)
	}
	h, err := pathrs.OpenatInRoot(r.dir, target)
	if err == nil || k == kindNone || !(errors.Is(err, os.ErrNotExist) || errors.Is(err, unix.ENOTDIR)) {
		return h, err
	}
	// Resolve symlinks inside the root first, dangling ones included, so
	// that /etc/hosts -> /nowhere creates <rootfs>/nowhere.
	full, err := securejoin.SecureJoin(r.path, target)
	if err != nil {
		return nil, err
	}
	rel := "/" + strings.TrimPrefix(strings.TrimPrefix(full, r.path), "/")
	if k == kindDir {
		return pathrs.MkdirAllHandle(r.dir, rel, 0o755)
	}
	parent, err := pathrs.MkdirAllHandle(r.dir, path.Dir(rel), 0o755)
	if err != nil {
		return nil, err
	}
	defer parent.Close()
	dirfd, err := pathrs.Reopen(parent, unix.O_DIRECTORY|unix.O_RDONLY)
	if err != nil {
		return nil, err
	}
	defer dirfd.Close()
	fd, err := unix.Openat(int(dirfd.Fd()), path.Base(rel), unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return nil, &os.PathError{Op: "create", Path: target, Err: err}
	}
	if err == nil {
		unix.Close(fd)
	}
	return pathrs.OpenatInRoot(r.dir, rel)
}

// fdPath names an open file for mount(2) without a second lookup.
func fdPath(f *os.File) string { return "/proc/self/fd/" + strconv.Itoa(int(f.Fd())) }

// mount mounts source on target inside the root.
func (r *root) mount(source, target, fstype string, flags uintptr, data string, k kind) error {
	h, err := r.open(target, k)
	if err != nil {
		return fmt.Errorf("mount %s on %s: %w", fstype, target, err)
	}
	defer h.Close()
	return mountOn(h, source, target, fstype, flags, data)
}

// mountOn mounts source on the opened target h.
func mountOn(h *os.File, source, target, fstype string, flags uintptr, data string) error {
	if err := unix.Mount(source, fdPath(h), fstype, flags, data); err != nil {
		return fmt.Errorf("mount %s on %s: %w", fstype, target, err)
	}
	return nil
}

// bind bind-mounts the host path source (recursively) on target inside
// the root, then applies attrs (MOUNT_ATTR_*) recursively.
func (r *root) bind(source, target string, k kind, attrs uint64) error {
	if err := r.mount(source, target, "bind", unix.MS_BIND|unix.MS_REC, "", k); err != nil {
		return err
	}
	if attrs == 0 {
		return nil
	}
	return r.setattr(target, k, attrs)
}

// sourceKind is what to create for a bind of source: a directory or a file.
func sourceKind(source string) (kind, error) {
	st, err := os.Stat(source)
	if err != nil {
		return kindNone, err
	}
	if st.IsDir() {
		return kindDir, nil
	}
	return kindFile, nil
}

// setattr applies attrs to the mount now at target (opened as k says)
// and every mount under it.
func (r *root) setattr(target string, k kind, attrs uint64) error {
	// Open again: a handle taken before the mount names what it covers.
	if k != kindSystem {
		k = kindNone
	}
	h, err := r.open(target, k)
	if err != nil {
		return fmt.Errorf("remount %s: %w", target, err)
	}
	defer h.Close()
	if err := setattr(h, attrs); err != nil {
		return fmt.Errorf("remount %s: %w", target, err)
	}
	return nil
}

// setattr is mount_setattr(2) with AT_RECURSIVE, falling back to a
// bind remount of the top mount on kernels before 5.12.
func setattr(h *os.File, attrs uint64) error {
	err := unix.MountSetattr(int(h.Fd()), "", unix.AT_EMPTY_PATH|unix.AT_RECURSIVE, &unix.MountAttr{Attr_set: attrs})
	if !errors.Is(err, unix.ENOSYS) {
		return err
	}
	return remount(fdPath(h), attrFlags(attrs))
}

// makeReadonly makes the mount at p read-only (and, if recursive, those
// under it).
func makeReadonly(p string, recursive bool) error {
	var flags uint
	if recursive {
		flags = unix.AT_RECURSIVE
	}
	err := unix.MountSetattr(unix.AT_FDCWD, p, flags, &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY})
	if !errors.Is(err, unix.ENOSYS) {
		return err
	}
	return remount(p, unix.MS_RDONLY)
}

// remount adds flags to the mount at p, keeping the ones it has: in a user
// namespace the kernel refuses to clear locked nosuid/nodev/noexec.
func remount(p string, flags uintptr) error {
	var st unix.Statfs_t
	if err := unix.Statfs(p, &st); err != nil {
		return err
	}
	keep := uintptr(st.Flags) & (unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC | unix.MS_NOATIME | unix.MS_NODIRATIME | unix.MS_RELATIME | unix.MS_RDONLY)
	return unix.Mount("", p, "", unix.MS_BIND|unix.MS_REMOUNT|keep|flags, "")
}

func attrFlags(attrs uint64) uintptr {
	var f uintptr
	for a, fl := range map[uint64]uintptr{
		unix.MOUNT_ATTR_RDONLY: unix.MS_RDONLY, unix.MOUNT_ATTR_NOSUID: unix.MS_NOSUID,
		unix.MOUNT_ATTR_NODEV: unix.MS_NODEV, unix.MOUNT_ATTR_NOEXEC: unix.MS_NOEXEC,
	} {
		if attrs&a != 0 {
			f |= fl
		}
	}
	return f
}

// mountOptions splits Docker-style options into mount flags, the
// equivalent MOUNT_ATTR_* bits and filesystem data ("size=64m,mode=1777").
func mountOptions(opts []string) (flags uintptr, attrs uint64, data string) {
	var rest []string
	for _, o := range opts {
		switch o {
		case "ro":
			flags, attrs = flags|unix.MS_RDONLY, attrs|unix.MOUNT_ATTR_RDONLY
		case "rw", "bind", "rbind", "private", "rprivate", "slave", "rslave", "shared", "rshared":
			// Defaults here: binds are recursive and every mount is a slave.
		case "nosuid":
			flags, attrs = flags|unix.MS_NOSUID, attrs|unix.MOUNT_ATTR_NOSUID
		case "nodev":
			flags, attrs = flags|unix.MS_NODEV, attrs|unix.MOUNT_ATTR_NODEV
		case "noexec":
			flags, attrs = flags|unix.MS_NOEXEC, attrs|unix.MOUNT_ATTR_NOEXEC
		case "noatime":
			flags |= unix.MS_NOATIME
		case "relatime":
			flags |= unix.MS_RELATIME
		case "strictatime":
			flags |= unix.MS_STRICTATIME
		default:
			rest = append(rest, o)
		}
	}
	return flags, attrs, strings.Join(rest, ",")
}

// userMounts mounts Config.Mounts in order. Each target is opened once,
// checked (checkProcMount) and mounted on through that one handle.
func (r *root) userMounts(mounts []Mount) error {
	for _, m := range mounts {
		flags, attrs, data := mountOptions(m.Options)
		if m.Readonly {
			flags, attrs = flags|unix.MS_RDONLY, attrs|unix.MOUNT_ATTR_RDONLY
		}
		var source, fstype string
		k := kindDir
		switch m.Type {
		case "bind", "volume", "":
			if !path.IsAbs(m.Source) {
				return fmt.Errorf("bind mount %s: source %q is not an absolute path", m.Target, m.Source)
			}
			var err error
			if k, err = sourceKind(m.Source); err != nil {
				return fmt.Errorf("bind mount %s: %w", m.Target, err)
			}
			source, fstype, flags = m.Source, "bind", unix.MS_BIND|unix.MS_REC
		case "tmpfs":
			source, fstype = "tmpfs", "tmpfs"
		default:
			return fmt.Errorf("mount %s: unknown type %q (hint: use bind or tmpfs)", m.Target, m.Type)
		}
		if err := r.mountChecked(source, m.Target, fstype, flags, data, k); err != nil {
			return err
		}
		if fstype == "bind" && attrs != 0 {
			if err := r.setattr(m.Target, kindNone, attrs); err != nil {
				return err
			}
		}
	}
	return nil
}

// files bind-mounts Config.Files (/etc/hosts, ...) over their targets,
// read-only where asked (a --read-only container's, as Docker's).
func (r *root) files(files []File) error {
	for _, f := range files {
		if err := r.mountChecked(f.Source, f.Target, "bind", unix.MS_BIND, "", kindFile); err != nil {
			return err
		}
		if f.Readonly {
			if err := r.setattr(f.Target, kindNone, unix.MOUNT_ATTR_RDONLY); err != nil {
				return err
			}
		}
	}
	return nil
}

// mtab makes /etc/mtab a symlink to /proc/mounts when the image has none,
// as Docker's init layer does: mount, df and friends read it. An /etc/mtab
// of the image, of whatever kind, is left alone; /etc is resolved inside
// the root, never through the image's symlinks to the host.
func (r *root) mtab() error {
	etc, err := pathrs.MkdirAllHandle(r.dir, "/etc", 0o755)
	if err != nil {
		return fmt.Errorf("mtab: %w", err)
	}
	defer etc.Close()
	dir, err := pathrs.Reopen(etc, unix.O_DIRECTORY|unix.O_RDONLY)
	if err != nil {
		return fmt.Errorf("mtab: %w", err)
	}
	defer dir.Close()
	err = unix.Symlinkat("/proc/mounts", int(dir.Fd()), "mtab")
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return &os.PathError{Op: "symlink", Path: "/etc/mtab", Err: err}
	}
	return nil
}

// mountChecked is mount for a target the user or the image names: it is
// refused when it lands on or in /proc (checkProcMount).
func (r *root) mountChecked(source, target, fstype string, flags uintptr, data string, k kind) error {
	// Before anything is created: a target inside /proc would be made in
	// procfs (and fail there with a less useful error).
	if err := r.checkProcTarget(source, target, fstype); err != nil {
		return err
	}
	h, err := r.open(target, k)
	if err != nil {
		return fmt.Errorf("mount %s on %s: %w", fstype, target, err)
	}
	defer h.Close()
	// Again on the handle mounted on, should the path have changed since.
	if err := r.checkProcHandle(h, source, target, fstype); err != nil {
		return err
	}
	return mountOn(h, source, target, fstype, flags, data)
}
