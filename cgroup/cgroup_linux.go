package cgroup

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/containerd/cgroups/v3"
	"github.com/containerd/cgroups/v3/cgroup1"
	"github.com/containerd/cgroups/v3/cgroup2"
	"golang.org/x/sys/unix"
)

// mountpoint is where cgroupfs lives; v1 hierarchies are found below it by
// containerd from /proc/self/mountinfo.
const mountpoint = "/sys/fs/cgroup"

// Cgroup is one container's cgroup.
type Cgroup struct {
	group  string   // "<parent>/pocket/<id>", as in /proc/<pid>/cgroup
	dirs   []string // its directory in every hierarchy (one on v2)
	memory string   // its memory controller directory, "" without one
	// freezer is its freezer directory: the v1 freezer hierarchy's or the
	// v2 cgroup's own (cgroup.freeze); "" without one.
	freezer string

	v1 cgroup1.Cgroup // on legacy and hybrid hosts
	v2 *cgroup2.Manager
}

// New creates the cgroup "pocket/<id>" under parent and applies r. parent
// is a cgroup path as in /proc/self/cgroup ("" for the root of the
// hierarchy; a delegated v2 subtree for rootless). A limit whose
// controller or file is missing or not writable fails with ErrNoController
// naming the flag; nothing is silently ignored, and nothing is left behind
// on failure.
func New(parent, id string, r Resources) (*Cgroup, error) {
	group, err := groupPath(parent, id)
	if err != nil {
		return nil, err
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	var c *Cgroup
	switch cgroups.Mode() {
	case cgroups.Unified:
		c, err = newV2(parent, group, r)
	case cgroups.Legacy, cgroups.Hybrid:
		// On hybrid hosts the v2 mount holds at most the controllers v1
		// does not (often none, or only hugetlb); every limit pocket sets
		// is on v1.
		c, err = newV1(group, r)
	default:
		err = fmt.Errorf("%s: %w (hint: mount cgroupfs)", mountpoint, ErrUnavailable)
	}
	if err != nil {
		return nil, fmt.Errorf("create cgroup %s: %w", group, err)
	}
	return c, nil
}

// Load opens an existing container cgroup; a missing one is an error
// wrapping fs.ErrNotExist.
func Load(parent, id string) (*Cgroup, error) {
	group, err := groupPath(parent, id)
	if err != nil {
		return nil, err
	}
	var c *Cgroup
	switch cgroups.Mode() {
	case cgroups.Unified:
		c, err = loadV2(parent, group)
	case cgroups.Legacy, cgroups.Hybrid:
		c, err = loadV1(group)
	default:
		err = fmt.Errorf("%s: %w", mountpoint, ErrUnavailable)
	}
	if err != nil {
		return nil, fmt.Errorf("load cgroup %s: %w", group, err)
	}
	return c, nil
}

// groupPath is "<parent>/pocket/<id>". parent is cleaned as a rooted path
// so ".." cannot climb out of the hierarchy; id must be one path element.
func groupPath(parent, id string) (string, error) {
	if id == "" || id == "." || id == ".." || strings.ContainsAny(id, "/\x00") {
		return "", fmt.Errorf("cgroup id %q: %w: must be a single path element", id, ErrInvalidLimit)
	}
	return filepath.Join("/", parent, "pocket", id), nil
}

// Add moves a process into the cgroup (every hierarchy on v1).
func (c *Cgroup) Add(pid int) error {
	var err error
	if c.v2 != nil {
		err = c.v2.AddProc(uint64(pid))
	} else {
		err = c.v1.AddProc(uint64(pid))
	}
	if err != nil {
		return fmt.Errorf("add process %d to cgroup %s: %w", pid, c.group, err)
	}
	return nil
}

// FD is the open cgroup v2 directory for SysProcAttr.CgroupFD with
// UseCgroupFD (clone3 CLONE_INTO_CGROUP), so the child starts inside the
// cgroup. The caller closes it. ok is false on v1/hybrid, where Add must be
// used before the child runs anything.
func (c *Cgroup) FD() (f *os.File, ok bool) {
	if c.v2 == nil {
		return nil, false
	}
	fd, err := unix.Open(c.dirs[0], unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, false
	}
	return os.NewFile(uintptr(fd), c.dirs[0]), true
}

// OOMKilled reports whether the kernel OOM killer acted in this cgroup.
func (c *Cgroup) OOMKilled() bool {
	if c.memory == "" {
		return false
	}
	// v1: memory.oom_control has "oom_kill N" since Linux 4.13;
	// v2: memory.events counts it, hierarchically.
	file := "memory.oom_control"
	if c.v2 != nil {
		file = "memory.events"
	}
	n, err := readKey(filepath.Join(c.memory, file), "oom_kill")
	return err == nil && n > 0
}

// Delete removes the cgroup from every hierarchy, killing nothing: callers
// end its processes first. A cgroup already gone is not an error.
func (c *Cgroup) Delete() error {
	var errs []error
	for _, d := range c.dirs {
		if err := rmdir(d); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("delete cgroup %s: %w", c.group, err)
	}
	return nil
}

// Unified reports whether the host runs the unified (v2-only) hierarchy;
// the container then also gets a cgroup namespace.
func Unified() bool { return cgroups.Mode() == cgroups.Unified }

// rmdir removes one cgroup directory. The kernel answers EBUSY while the
// last processes are still exiting (the parent may have reaped them before
// the cgroup noticed), so it retries for about two seconds.
func rmdir(dir string) error {
	delay := 5 * time.Millisecond
	for i := 0; ; i++ {
		err := unix.Rmdir(dir)
		switch {
		case err == nil, errors.Is(err, unix.ENOENT):
			return nil
		case errors.Is(err, unix.EBUSY) && i < 9:
			time.Sleep(delay)
			delay *= 2
			continue
		case errors.Is(err, unix.EBUSY):
			return fmt.Errorf("%w (hint: processes still run in it)", &os.PathError{Op: "rmdir", Path: dir, Err: err})
		}
		return &os.PathError{Op: "rmdir", Path: dir, Err: err}
	}
}

// readKey reads the value of key in a flat-keyed cgroup file ("key N" lines).
func readKey(file, key string) (uint64, error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), " ")
		if ok && k == key {
			return strconv.ParseUint(strings.TrimSpace(v), 10, 64)
		}
	}
	if err := s.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("%s: no %q", file, key)
}

// exists reports whether path exists.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
