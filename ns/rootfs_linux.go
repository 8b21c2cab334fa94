package ns

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// setupRootfs builds the container's filesystem under cfg.Rootfs.Target,
// inside init's own mount namespace: nothing it mounts reaches the host.
func setupRootfs(cfg *Config) error {
	// Slave, not private: host unmounts still reach us, our mounts never
	// reach the host.
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_SLAVE, ""); err != nil {
		return &os.PathError{Op: "make / rslave", Path: "/", Err: err}
	}
	if cfg.Rootfs.Bind {
		if err := bindRootfs(cfg.Rootfs.Target); err != nil {
			return err
		}
	} else if cfg.Rootfs.Premounted {
		if err := checkMounted(cfg.Rootfs.Target); err != nil {
			return err
		}
	} else if err := mountOverlay(cfg.Rootfs); err != nil {
		return err
	}
	r, err := openRoot(cfg.Rootfs.Target)
	if err != nil {
		return fmt.Errorf("open rootfs: %w", err)
	}
	defer r.dir.Close()

	const nsd = unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV
	// Never through a symlink of the image (kindSystem, CVE-2019-16884).
	if err := r.mount("proc", "/proc", "proc", nsd, "", kindSystem); err != nil {
		return err
	}
	// Before masking makes /proc/sys read-only.
	if err := r.sysctls(cfg.Sysctls); err != nil {
		return err
	}
	if err := r.setupDev(cfg.UserNS, cfg.Devices, cfg.Shm); err != nil {
		return err
	}
	if err := r.mountSys(cfg.UserNS && cfg.Network != "none"); err != nil {
		return err
	}
	if err := r.mountCgroups(cfg.Cgroups); err != nil {
		return err
	}
	if err := r.userMounts(cfg.Mounts); err != nil {
		return err
	}
	if err := r.files(cfg.Files); err != nil {
		return err
	}
	// Docker's /etc/mtab link is pocket run's: an OCI bundle's root is
	// the caller's, as runc leaves it.
	if !cfg.Rootfs.Bind {
		if err := r.mtab(); err != nil {
			return err
		}
	}
	if err := r.devices(cfg.Devices, cfg.UserNS); err != nil {
		return err
	}
	if !cfg.Security.Privileged {
		if err := r.maskPaths(cfg.Paths); err != nil {
			return err
		}
	}
	return nil
}

// mountOverlay mounts the image layers at rs.Target.
func mountOverlay(rs Rootfs) error {
	lower := rs.Lower
	// Mount data is one page; layers of one store share a parent, so name
	// them relative to it from there (as containerd and Docker do).
	if dir := commonParent(lower); dir != "" {
		if err := os.Chdir(dir); err != nil {
			return fmt.Errorf("mount rootfs: %w", err)
		}
		defer os.Chdir("/")
		rel := make([]string, len(lower))
		for i, l := range lower {
			rel[i] = filepath.Base(l)
		}
		lower = rel
	}
	for _, p := range append([]string{rs.Upper, rs.Work}, lower...) {
		if strings.ContainsAny(p, ":,") {
			return fmt.Errorf("mount rootfs: layer path %q has ':' or ','", p)
		}
	}
	data := "lowerdir=" + strings.Join(lower, ":")
	if rs.Upper != "" {
		data += ",upperdir=" + rs.Upper + ",workdir=" + rs.Work
	}
	if rs.UserXattr {
		data += ",userxattr"
	}
	if len(data) >= os.Getpagesize() && rs.Work != "" {
		// Still too long (an image of 100+ layers, as a long build makes):
		// name each layer by a short symlink in a directory of the
		// container's own, as Docker's overlay2 does with its l/ links.
		// overlayfs resolves the links once, at mount time.
		short, err := shortLowers(filepath.Join(filepath.Dir(rs.Work), "lower"), rs.Lower)
		if err != nil {
			return fmt.Errorf("mount rootfs: %w", err)
		}
		defer os.Chdir("/")
		data = "lowerdir=" + strings.Join(short, ":") + data[strings.IndexByte(data+",", ','):]
	}
	if len(data) >= os.Getpagesize() {
		return fmt.Errorf("mount rootfs: %d layers do not fit in one overlay mount (hint: squash the image)", len(rs.Lower))
	}
	if err := unix.Mount("overlay", rs.Target, "overlay", 0, data); err != nil {
		if errors.Is(err, unix.ENODEV) {
			return fmt.Errorf("%w (hint: sudo modprobe overlay)"+doctorHint, &os.PathError{Op: "mount overlay", Path: rs.Target, Err: err})
		}
		return &os.PathError{Op: "mount overlay", Path: rs.Target, Err: err}
	}
	return nil
}

// shortLowers makes dir hold a symlink per layer named by its index,
// changes into dir and returns the names, for a lowerdir that fits.
func shortLowers(dir string, lower []string) ([]string, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, err
	}
	names := make([]string, len(lower))
	for i, l := range lower {
		names[i] = strconv.Itoa(i)
		if err := os.Symlink(l, filepath.Join(dir, names[i])); err != nil {
			return nil, err
		}
	}
	return names, os.Chdir(dir)
}

// checkMounted makes sure the rootfs the parent mounted is there: a mount
// point, not the empty directory under it, so that pivot_root lands in the
// image and not in nothing.
func checkMounted(target string) error {
	var st, parent unix.Stat_t
	if err := unix.Stat(target, &st); err != nil {
		return &os.PathError{Op: "stat rootfs", Path: target, Err: err}
	}
	if err := unix.Stat(filepath.Dir(target), &parent); err != nil {
		return &os.PathError{Op: "stat rootfs", Path: filepath.Dir(target), Err: err}
	}
	if st.Dev == parent.Dev {
		return fmt.Errorf("rootfs %s: not mounted by pocket's monitor", target)
	}
	return nil
}

// commonParent is the directory holding every path in dirs, or "" when
// they do not share one (or there is a single layer).
func commonParent(dirs []string) string {
	if len(dirs) < 2 {
		return ""
	}
	parent := filepath.Dir(dirs[0])
	for _, d := range dirs[1:] {
		if filepath.Dir(d) != parent {
			return ""
		}
	}
	return parent
}

// mountSys mounts /sys read-only. A user namespace that shares the host's
// network namespace may not mount sysfs; it gets the host's /sys bound
// read-only instead, as runc does.
func (r *root) mountSys(bindHost bool) error {
	const flags = unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV | unix.MS_RDONLY
	if !bindHost {
		err := r.mount("sysfs", "/sys", "sysfs", flags, "", kindSystem)
		if err == nil || !errors.Is(err, unix.EPERM) {
			return err
		}
	}
	return r.bind("/sys", "/sys", kindSystem, unix.MOUNT_ATTR_RDONLY|unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NOEXEC|unix.MOUNT_ATTR_NODEV)
}

// pivotRoot makes rootfs the root and detaches the old one, with runc's
// pivot_root(".", ".") so no directory for the old root is needed.
func pivotRoot(rootfs string) error {
	oldroot, err := unix.Open("/", unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: "/", Err: err}
	}
	defer unix.Close(oldroot)
	if err := unix.Chdir(rootfs); err != nil {
		return &os.PathError{Op: "chdir", Path: rootfs, Err: err}
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		return &os.PathError{Op: "pivot_root", Path: rootfs, Err: err}
	}
	// The old root is now stacked on "."; step onto it and detach it.
	if err := unix.Fchdir(oldroot); err != nil {
		return &os.PathError{Op: "fchdir", Path: "old root", Err: err}
	}
	// Slave again so the detach below does not propagate to the host.
	if err := unix.Mount("", ".", "", unix.MS_SLAVE|unix.MS_REC, ""); err != nil {
		return &os.PathError{Op: "make old root rslave", Path: ".", Err: err}
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return &os.PathError{Op: "unmount old root", Path: ".", Err: err}
	}
	if err := unix.Chdir("/"); err != nil {
		return &os.PathError{Op: "chdir", Path: "/", Err: err}
	}
	return nil
}
