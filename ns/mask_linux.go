package ns

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"golang.org/x/sys/unix"
)

// Docker's defaults (moby daemon/pkg/oci/defaults.go): kernel files that
// leak host information or allow host changes. /proc/interrupts and the
// thermal_throttle directories (added by thermalPaths) are
// GHSA-6fw5-f8r9-fgfm; /sys/devices/virtual/powercap is GHSA-jq35-85cj-fj4p.
var (
	maskedPaths = []string{
		"/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore",
		"/proc/keys", "/proc/latency_stats", "/proc/timer_list",
		"/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
		"/sys/firmware", "/sys/devices/virtual/powercap",
	}
	readonlyPaths = []string{
		"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
	}
)

// kernelFS is the container's procfs or sysfs, opened and verified: every
// masked path is found from it, one component at a time, without
// following a symlink or leaving the filesystem (walk).
type kernelFS struct {
	dir  *os.File
	name string // "/proc" or "/sys"
	dev  uint64
}

// openKernelFS opens the container's /proc or /sys without following any
// symlink and checks that it is the filesystem it must be: an image (or a
// mount) that moved it elsewhere makes the start fail, never a container
// whose masks went to the wrong place (CVE-2019-16884).
func (r *root) openKernelFS(name string, magic int64) (*kernelFS, error) {
	h, err := r.lookup(name)
	if err != nil {
		return nil, err
	}
	var sfs unix.Statfs_t
	var st unix.Stat_t
	if err := unix.Fstatfs(int(h.Fd()), &sfs); err != nil {
		h.Close()
		return nil, &os.PathError{Op: "statfs", Path: name, Err: err}
	}
	if err := unix.Fstat(int(h.Fd()), &st); err != nil {
		h.Close()
		return nil, &os.PathError{Op: "stat", Path: name, Err: err}
	}
	if sfs.Type != magic {
		h.Close()
		return nil, fmt.Errorf("%w: %s is not a %s (filesystem magic %#x)", ErrUnsafePath, name, strings.TrimPrefix(name, "/")+"fs", sfs.Type)
	}
	if magic == unix.PROC_SUPER_MAGIC && st.Ino != procRootIno {
		h.Close()
		return nil, fmt.Errorf("%w: %s is not the root of a procfs", ErrUnsafePath, name)
	}
	return &kernelFS{dir: h, name: name, dev: st.Dev}, nil
}

// open finds p (an absolute path under fs.name) in fs. A path the kernel
// does not have is reported as os.ErrNotExist; a symlink, or a component
// on another filesystem, as ErrUnsafePath.
func (fs *kernelFS) open(p string) (*os.File, error) {
	rel, ok := strings.CutPrefix(p, fs.name+"/")
	if !ok {
		return nil, fmt.Errorf("%w: %s is not under %s", ErrUnsafePath, p, fs.name)
	}
	return walk(fs.dir, fs.name, rel, &fs.dev)
}

// maskPaths hides maskedPaths (a read-only empty tmpfs over directories,
// /dev/null over files) and makes readonlyPaths read-only. It runs after
// every other mount. Each path is found from the verified procfs or sysfs
// (openKernelFS); one the kernel does not have there is skipped, anything
// else that is not what it must be fails the start.
//
// paths, when set, replaces Docker's lists (an OCI bundle's maskedPaths
// and readonlyPaths); its paths outside /proc and /sys are found from the
// root, still without following a symlink.
func (r *root) maskPaths(paths *Paths) error {
	null, err := r.devNull()
	if err != nil {
		return fmt.Errorf("mask paths: %w", err)
	}
	defer null.Close()
	proc, err := r.openKernelFS("/proc", unix.PROC_SUPER_MAGIC)
	if err != nil {
		return fmt.Errorf("mask paths: %w", err)
	}
	defer proc.dir.Close()
	sys, err := r.openKernelFS("/sys", unix.SYSFS_MAGIC)
	if err != nil {
		return fmt.Errorf("mask paths: %w", err)
	}
	defer sys.dir.Close()
	open := func(p string) (*os.File, error) {
		switch {
		case strings.HasPrefix(p, "/sys/"):
			return sys.open(p)
		case strings.HasPrefix(p, "/proc/"):
			return proc.open(p)
		}
		return r.lookup(p)
	}

	masked, ro := maskedPaths, readonlyPaths
	if paths != nil {
		masked, ro = paths.Masked, paths.Readonly
	} else {
		thermal, err := thermalPaths(sys)
		if err != nil {
			return fmt.Errorf("mask paths: %w", err)
		}
		masked = append(masked[:len(masked):len(masked)], thermal...)
	}
	for _, p := range masked {
		h, err := open(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("mask %s: %w", p, err)
		}
		err = mask(h, null)
		h.Close()
		if err != nil {
			return fmt.Errorf("mask %s: %w", p, err)
		}
	}
	for _, p := range ro {
		if err := readonly(open, p); err != nil {
			return fmt.Errorf("make %s read-only: %w", p, err)
		}
	}
	return nil
}

// mask covers h: a read-only empty tmpfs over a directory, /dev/null over
// anything else.
func mask(h, null *os.File) error {
	var st unix.Stat_t
	if err := unix.Fstat(int(h.Fd()), &st); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		return unix.Mount("tmpfs", fdPath(h), "tmpfs", unix.MS_RDONLY, "size=0")
	}
	return unix.Mount(fdPath(null), fdPath(h), "", unix.MS_BIND, "")
}

// readonly binds p on itself and makes that mount (and those under it)
// read-only.
func readonly(open func(string) (*os.File, error), p string) error {
	h, err := open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	// Bound on itself through the verified handle, so neither side is
	// looked up by name.
	err = unix.Mount(fdPath(h), fdPath(h), "", unix.MS_BIND|unix.MS_REC, "")
	h.Close()
	if err != nil {
		return err
	}
	// Open again: the handle taken before names what the bind covers. The
	// new mount is procfs too (same st_dev), so walk still verifies it.
	if h, err = open(p); err != nil {
		return err
	}
	defer h.Close()
	return setattr(h, unix.MOUNT_ATTR_RDONLY|unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NODEV|unix.MOUNT_ATTR_NOEXEC)
}

// devNull opens the container's /dev/null, to bind over masked files, and
// checks it is the null device: masking with whatever sits at that name
// (a symlink to a procfs file, a regular file) would unmask instead
// (CVE-2025-31133).
func (r *root) devNull() (*os.File, error) {
	h, err := r.lookup("/dev/null")
	if err != nil {
		return nil, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(h.Fd()), &st); err != nil {
		h.Close()
		return nil, &os.PathError{Op: "stat", Path: "/dev/null", Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFCHR || uint64(st.Rdev) != unix.Mkdev(1, 3) {
		h.Close()
		return nil, fmt.Errorf("%w: /dev/null is not the null device (char 1:3)", ErrUnsafePath)
	}
	return h, nil
}

// cpuDir says whether a name is "cpu" and a number (^cpu[0-9]+$), the
// directory of one CPU.
func cpuDir(name string) bool {
	n, ok := strings.CutPrefix(name, "cpu")
	return ok && n != "" && strings.Trim(n, "0123456789") == ""
}

// thermalPaths are the thermal_throttle directories of the CPUs in sys,
// which Docker masks as well (GHSA-6fw5-f8r9-fgfm): their counters let a
// container watch what other tenants run.
func thermalPaths(sys *kernelFS) ([]string, error) {
	const cpus = "/sys/devices/system/cpu"
	h, err := sys.open(cpus)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer h.Close()
	fd, err := unix.Openat(int(h.Fd()), ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: cpus, Err: err}
	}
	d := os.NewFile(uintptr(fd), cpus)
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	var out []string
	for _, n := range names {
		if cpuDir(n) {
			out = append(out, cpus+"/"+n+"/thermal_throttle")
		}
	}
	return out, nil
}
