package ociruntime

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/containerd/cgroups/v3"
	"github.com/containerd/cgroups/v3/cgroup1"
	"github.com/containerd/cgroups/v3/cgroup2"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// cgroupRoot is where the host mounts cgroupfs.
const cgroupRoot = "/sys/fs/cgroup"

// group is a container's cgroup at an OCI cgroupsPath, on v1 (every
// hierarchy) or v2. pocket's own cgroup package keeps pocket run's
// containers at "<parent>/pocket/<id>"; an OCI runtime is told the path.
type group struct {
	path string
	v1   cgroup1.Cgroup
	v2   *cgroup2.Manager
}

// newGroup creates the cgroup at path with r applied (containerd's cgroups
// library, as containerd's own runtime would).
func newGroup(path string, r *specs.LinuxResources) (*group, error) {
	g := &group{path: path}
	var err error
	if cgroups.Mode() == cgroups.Unified {
		g.v2, err = cgroup2.NewManager(cgroupRoot, path, cgroup2.ToResources(r))
	} else {
		g.v1, err = cgroup1.New(cgroup1.StaticPath(path), r)
	}
	if err != nil {
		return nil, fmt.Errorf("create cgroup %s: %w", path, err)
	}
	return g, nil
}

// loadGroup opens an existing cgroup.
func loadGroup(path string) (*group, error) {
	g := &group{path: path}
	var err error
	if cgroups.Mode() == cgroups.Unified {
		g.v2, err = cgroup2.Load(path)
	} else {
		g.v1, err = cgroup1.Load(cgroup1.StaticPath(path))
	}
	if err != nil {
		return nil, fmt.Errorf("load cgroup %s: %w", path, err)
	}
	return g, nil
}

// pidGroup is the cgroup a running process is in (for exec's process to
// join its container's).
func pidGroup(pid int) (*group, error) {
	if cgroups.Mode() == cgroups.Unified {
		p, err := cgroup2.PidGroupPath(pid)
		if err != nil {
			return nil, err
		}
		return loadGroup(p)
	}
	cg, err := cgroup1.Load(cgroup1.PidPath(pid))
	if err != nil {
		return nil, fmt.Errorf("load cgroup of %d: %w", pid, err)
	}
	return &group{v1: cg}, nil
}

// fd is the cgroup v2 directory for CLONE_INTO_CGROUP; ok is false on v1.
func (g *group) fd() (f *os.File, ok bool) {
	if g.v2 == nil {
		return nil, false
	}
	dir := filepath.Join(cgroupRoot, g.path)
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, false
	}
	return os.NewFile(uintptr(fd), dir), true
}

func (g *group) add(pid int) error {
	var err error
	if g.v2 != nil {
		err = g.v2.AddProc(uint64(pid))
	} else {
		err = g.v1.AddProc(uint64(pid))
	}
	if err != nil {
		return fmt.Errorf("add %d to cgroup %s: %w", pid, g.path, err)
	}
	return nil
}

// pids lists every process in the cgroup and below.
func (g *group) pids() ([]int, error) {
	var out []int
	if g.v2 != nil {
		ps, err := g.v2.Procs(true)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			out = append(out, int(p))
		}
		return out, nil
	}
	// Every process is in the devices and pids hierarchies' copy too; the
	// first subsystem that answers is enough.
	for _, s := range []cgroup1.Name{cgroup1.Devices, cgroup1.Pids, cgroup1.Memory, cgroup1.Freezer} {
		ps, err := g.v1.Processes(s, true)
		if err != nil {
			continue
		}
		for _, p := range ps {
			out = append(out, p.Pid)
		}
		return out, nil
	}
	return nil, fmt.Errorf("list processes of cgroup %s: no hierarchy answers", g.path)
}

func (g *group) freeze() error {
	if g.v2 != nil {
		return g.v2.Freeze()
	}
	return g.v1.Freeze()
}

func (g *group) thaw() error {
	if g.v2 != nil {
		return g.v2.Thaw()
	}
	return g.v1.Thaw()
}

// frozen reports whether the cgroup is paused.
func (g *group) frozen() bool {
	if g.v2 != nil {
		b, err := os.ReadFile(filepath.Join(cgroupRoot, g.path, "cgroup.freeze"))
		return err == nil && strings.TrimSpace(string(b)) == "1"
	}
	return g.v1.State() == cgroup1.Frozen
}

func (g *group) update(r *specs.LinuxResources) error {
	if g.v2 != nil {
		return g.v2.Update(cgroup2.ToResources(r))
	}
	return g.v1.Update(r)
}

// remove deletes the cgroup. The kernel answers EBUSY while the last
// processes are still being released, so it tries a few times.
func (g *group) remove() error {
	var err error
	for range 50 {
		if g.v2 != nil {
			err = g.v2.Delete()
		} else {
			err = g.v1.Delete()
		}
		if err == nil || errors.Is(err, os.ErrNotExist) {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("delete cgroup %s: %w", g.path, err)
}

// cgroupMounts tells init which host directories hold the container's
// cgroup on v1, for /sys/fs/cgroup inside (ns.Config.Cgroups); on v2 the
// cgroup namespace shows it.
func cgroupMounts(path string, cgroupNS bool) map[string]string {
	if cgroups.Mode() == cgroups.Unified {
		if cgroupNS {
			return map[string]string{"unified": ""}
		}
		return nil
	}
	entries, err := os.ReadDir(cgroupRoot)
	if err != nil {
		return nil
	}
	out := map[string]string{}
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "unified" {
			continue
		}
		dir := filepath.Join(cgroupRoot, e.Name(), path)
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			out[e.Name()] = dir
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
