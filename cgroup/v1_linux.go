package cgroup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/containerd/cgroups/v3/cgroup1"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// pather is the part of containerd's v1 subsystems that locates a cgroup.
type pather interface {
	cgroup1.Subsystem
	Path(group string) string
}

// hierarchies returns the mounted v1 hierarchies whose root pocket may
// write to (all of them as root; none in a user namespace).
//
// pocket puts a container at "<parent>/pocket/<id>" in every hierarchy, as
// Docker's cgroupfs driver uses /docker/<id>, rather than below its own
// cgroup: pocket has no daemon, so the process that creates the cgroup is
// gone when a later `pocket stop` or `rm` looks for it, and on v1 a
// process's own cgroup may differ per hierarchy (a session manager can put
// it at /user.slice/... in memory and / in the others), which would
// scatter one container over unrelated paths and tie it to a session that
// may end.
func hierarchies() ([]pather, error) {
	all, err := cgroup1.Default()
	if err != nil {
		return nil, fmt.Errorf("%s: %w (hint: mount the cgroup v1 hierarchies): %w", mountpoint, ErrUnavailable, err)
	}
	var out []pather
	for _, s := range all {
		p, ok := s.(pather)
		if ok && unix.Access(p.Path("/"), unix.W_OK) == nil {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: %w (hint: cgroup v1 needs root; rootless limits need cgroup v2 with systemd delegation)", mountpoint, ErrUnavailable)
	}
	return out, nil
}

func newV1(group string, r Resources) (*Cgroup, error) {
	hs, err := hierarchies()
	if err != nil {
		return nil, err
	}
	byName := map[cgroup1.Name]pather{}
	for _, h := range hs {
		byName[h.Name()] = h
	}
	needs := r.needs(false)
	for _, n := range needs {
		if byName[cgroup1.Name(n.controller)] == nil {
			drop := ""
			if strings.HasPrefix(n.flag, "--") {
				drop = ", or drop " + n.flag
			}
			return nil, fmt.Errorf("%s: %s controller: %w (hint: mount the %s hierarchy writable under %s%s)",
				n.flag, n.controller, ErrNoController, n.controller, mountpoint, drop)
		}
	}
	if mem := byName[cgroup1.Memory]; mem != nil && exists(mem.Path(group)) {
		return nil, fmt.Errorf("%s: %w", mem.Path(group), fs.ErrExist)
	}
	// Create first and check the files, then write: a missing file is then
	// named by its flag instead of surfacing as a failed open.
	cg, err := cgroup1.New(cgroup1.StaticPath(group), &specs.LinuxResources{}, cgroup1.WithHierarchy(hierarchy(hs)))
	c := &Cgroup{group: group, v1: cg}
	for _, h := range hs {
		c.dirs = append(c.dirs, h.Path(group))
		switch h.Name() {
		case cgroup1.Memory:
			c.memory = h.Path(group)
		case cgroup1.Freezer:
			c.freezer = h.Path(group)
		}
	}
	if err != nil {
		return nil, errors.Join(err, c.Delete())
	}
	for _, n := range needs {
		if !n.present(byName[cgroup1.Name(n.controller)].Path(group)) {
			return nil, errors.Join(n.missing(), c.Delete())
		}
	}
	if cpu := byName[cgroup1.Cpu]; cpu != nil && r.CPURealtimeRuntime > 0 {
		if err := reserveRealtime(filepath.Dir(cpu.Path(group)), r.CPURealtimeRuntime); err != nil {
			return nil, errors.Join(err, c.Delete())
		}
	}
	swap := c.memory != "" && exists(filepath.Join(c.memory, "memory.memsw.limit_in_bytes"))
	if err := cg.Update(r.spec(swap)); err != nil {
		return nil, errors.Join(fmt.Errorf("set limits: %w", err), c.Delete())
	}
	if blkio := byName[cgroup1.Blkio]; blkio != nil {
		if err := r.writeWeights(blkio.Path(group), false); err != nil {
			return nil, errors.Join(err, c.Delete())
		}
	}
	return c, nil
}

func loadV1(group string) (*Cgroup, error) {
	hs, err := hierarchies()
	if err != nil {
		return nil, err
	}
	c := &Cgroup{group: group}
	for _, h := range hs {
		if !exists(h.Path(group)) {
			continue
		}
		c.dirs = append(c.dirs, h.Path(group))
		switch h.Name() {
		case cgroup1.Memory:
			c.memory = h.Path(group)
		case cgroup1.Freezer:
			c.freezer = h.Path(group)
		}
	}
	if len(c.dirs) == 0 {
		return nil, fs.ErrNotExist
	}
	if c.v1, err = cgroup1.Load(cgroup1.StaticPath(group), cgroup1.WithHierarchy(hierarchy(hs))); err != nil {
		if errors.Is(err, cgroup1.ErrCgroupDeleted) {
			return nil, fs.ErrNotExist
		}
		return nil, err
	}
	return c, nil
}

// hierarchy hands containerd exactly the hierarchies pocket checked.
func hierarchy(hs []pather) cgroup1.Hierarchy {
	return func() ([]cgroup1.Subsystem, error) {
		out := make([]cgroup1.Subsystem, len(hs))
		for i, h := range hs {
			out[i] = h
		}
		return out, nil
	}
}

// reserveRealtime gives pocket's own cgroup (dir, the containers' parent)
// at least runtime µs of real-time CPU per period: a child can have no
// more than its parent, and a new cgroup has none, which is what Docker's
// daemon --cpu-rt-runtime is for. The kernel refuses more than the
// parent's parent has, or than the siblings leave.
func reserveRealtime(dir string, runtime int64) error {
	file := filepath.Join(dir, "cpu.rt_runtime_us")
	raw, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("--cpu-rt-runtime: %w", err)
	}
	if cur, err := strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64); err == nil && cur >= runtime {
		return nil
	}
	if err := os.WriteFile(file, []byte(strconv.FormatInt(runtime, 10)), 0); err != nil {
		return fmt.Errorf("--cpu-rt-runtime %d: %w (hint: the real-time budget above %s is smaller, or taken by other cgroups: lower --cpu-rt-runtime)", runtime, err, dir)
	}
	return nil
}
