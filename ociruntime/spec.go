package ociruntime

import (
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"pocket/cgroup"
	"pocket/ns"
)

// plan is a bundle's config.json translated for pocket: the init Config
// and what the parent does around it (namespaces to clone or join, the
// cgroup, the hooks).
type plan struct {
	Init       ns.Config
	Cloneflags uintptr
	// PidNS is a pid namespace to start init in (the parent joins it
	// before it forks: it applies to children only).
	PidNS       string
	UserNS      bool
	UIDMappings []specs.LinuxIDMapping
	GIDMappings []specs.LinuxIDMapping
	CgroupPath  string // cgroupfs path, "/a/b"
	Resources   *specs.LinuxResources
	// CgroupMount says the spec mounts cgroupfs at /sys/fs/cgroup.
	CgroupMount bool
	Seccomp     *specs.LinuxSeccomp
	Hooks       *specs.Hooks
	ConsoleSize *specs.Box
}

// Clone flags, by OCI namespace name (the same as unix.CLONE_NEW*, kept
// here so that translation builds everywhere).
var cloneFlags = map[specs.LinuxNamespaceType]uintptr{
	specs.MountNamespace:   0x00020000,
	specs.UTSNamespace:     0x04000000,
	specs.IPCNamespace:     0x08000000,
	specs.UserNamespace:    0x10000000,
	specs.PIDNamespace:     0x20000000,
	specs.NetworkNamespace: 0x40000000,
	specs.CgroupNamespace:  0x02000000,
}

// systemMounts are the destinations pocket's init mounts itself for every
// container (proc, a fresh /dev with its devpts, shm and mqueue, sysfs,
// cgroupfs): the spec's entries for them are taken as asking for those.
var systemMounts = []string{"/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"}

// translate turns a bundle's config.json into a plan. bundle is the
// bundle's absolute directory; systemd says cgroupsPath is in systemd's
// "slice:prefix:name" form (--systemd-cgroup).
func translate(spec *specs.Spec, bundle, id string, systemd bool) (*plan, error) {
	if !specVersion(spec.Version) {
		return nil, fmt.Errorf("config.json: ociVersion %q: want 1.x.y", spec.Version)
	}
	if spec.Process == nil || len(spec.Process.Args) == 0 {
		return nil, fmt.Errorf("config.json: process.args must not be empty")
	}
	if spec.Root == nil || spec.Root.Path == "" {
		return nil, fmt.Errorf("config.json: root.path must be set")
	}
	if spec.Linux == nil {
		return nil, fmt.Errorf("config.json: linux section: %w", ErrUnsupported)
	}
	p := &plan{Hooks: spec.Hooks, Resources: spec.Linux.Resources}
	root := spec.Root.Path
	if !filepath.IsAbs(root) {
		root = filepath.Join(bundle, root)
	}
	proc, err := process(spec.Process)
	if err != nil {
		return nil, err
	}
	sec, err := security(spec.Process)
	if err != nil {
		return nil, err
	}
	p.Init = ns.Config{
		ID:       id,
		Rootfs:   ns.Rootfs{Target: root, Bind: true, ReadOnly: spec.Root.Readonly},
		Process:  proc,
		Hostname: spec.Hostname,
		Security: sec,
		Sysctls:  spec.Linux.Sysctl,
		Paths:    &ns.Paths{Masked: spec.Linux.MaskedPaths, Readonly: spec.Linux.ReadonlyPaths},
		Network:  "host",
	}
	p.ConsoleSize = spec.Process.ConsoleSize
	p.Seccomp = spec.Linux.Seccomp
	if err := p.namespaces(spec.Linux); err != nil {
		return nil, err
	}
	p.UIDMappings, p.GIDMappings = spec.Linux.UIDMappings, spec.Linux.GIDMappings
	if p.UserNS && (len(p.UIDMappings) == 0 || len(p.GIDMappings) == 0) {
		return nil, fmt.Errorf("config.json: a user namespace needs uidMappings and gidMappings")
	}
	if p.Init.Mounts, p.CgroupMount, err = mounts(spec.Mounts, bundle); err != nil {
		return nil, err
	}
	for _, d := range spec.Linux.Devices {
		p.Init.Devices = append(p.Init.Devices, ns.Device{LinuxDevice: d, Source: d.Path})
	}
	if p.CgroupPath, err = cgroupPath(spec.Linux.CgroupsPath, id, systemd); err != nil {
		return nil, err
	}
	p.Resources = resources(spec.Linux)
	return p, nil
}

// specVersion says v is a runtime-spec 1.x version ("1.0.2", "1.2.0-rc.1"):
// config.md asks a runtime to refuse values it cannot understand, and a
// version it does not speak is the first of them.
func specVersion(v string) bool {
	core, _, _ := strings.Cut(v, "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 || parts[0] != "1" {
		return false
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}

// process is the OCI process as init's Process: numeric credentials as
// given, no passwd lookup.
func process(sp *specs.Process) (ns.Process, error) {
	cwd := sp.Cwd
	if cwd == "" {
		cwd = "/"
	}
	if !path.IsAbs(cwd) {
		return ns.Process{}, fmt.Errorf("config.json: process.cwd %q is not an absolute path", sp.Cwd)
	}
	return ns.Process{
		Args: sp.Args, Env: sp.Env, Cwd: cwd, Terminal: sp.Terminal,
		Creds:   &ns.Creds{UID: sp.User.UID, GID: sp.User.GID, AdditionalGids: sp.User.AdditionalGids},
		Rlimits: sp.Rlimits, OOMScoreAdj: sp.OOMScoreAdj,
	}, nil
}

// security keeps exactly the spec's capability sets: none when it names
// none, as runc does. A name that is no capability at all is an error
// (config.md: a value that cannot be mapped to a kernel interface MUST
// be); one the running kernel is too old for is left out later, at exec.
func security(sp *specs.Process) (ns.Security, error) {
	caps := sp.Capabilities
	if caps == nil {
		caps = &specs.LinuxCapabilities{}
	}
	for _, set := range [][]string{caps.Bounding, caps.Effective, caps.Inheritable, caps.Permitted, caps.Ambient} {
		for _, name := range set {
			if !strings.HasPrefix(name, "CAP_") {
				return ns.Security{}, fmt.Errorf("config.json: capability %q: %w", name, ns.ErrUnknownCap)
			}
			if err := ns.ValidateCaps([]string{name}); err != nil {
				return ns.Security{}, fmt.Errorf("config.json: %w", err)
			}
		}
	}
	return ns.Security{NoNewPrivileges: sp.NoNewPrivileges, Caps: caps}, nil
}

// namespaces decides which namespaces init gets new (clone flags), which it
// joins itself (ns.Config.Join) and which the parent joins (pid).
func (p *plan) namespaces(l *specs.Linux) error {
	seen := map[specs.LinuxNamespaceType]bool{}
	for _, n := range l.Namespaces {
		if seen[n.Type] {
			return fmt.Errorf("config.json: namespace %s listed twice", n.Type)
		}
		seen[n.Type] = true
		flag, ok := cloneFlags[n.Type]
		if !ok {
			return fmt.Errorf("config.json: %s namespace: %w", n.Type, ErrUnsupported)
		}
		if n.Path == "" {
			p.Cloneflags |= flag
			switch n.Type {
			case specs.NetworkNamespace:
				p.Init.Network = "none" // a new one: bring lo up, as runc does
			case specs.UserNamespace:
				p.UserNS, p.Init.UserNS = true, true
			}
			continue
		}
		switch n.Type {
		case specs.PIDNamespace:
			p.PidNS = n.Path
		case specs.NetworkNamespace, specs.UTSNamespace, specs.IPCNamespace, specs.CgroupNamespace:
			p.Init.Join = append(p.Init.Join, ns.Namespace{Type: string(n.Type), Path: n.Path})
			if n.Type == specs.NetworkNamespace {
				p.Init.Network = ""
			}
		default:
			// Joining a mount or user namespace takes a single-threaded
			// process (setns(2)); pocket's Go init is not one.
			return fmt.Errorf("config.json: joining the %s namespace %s: %w", n.Type, n.Path, ErrUnsupported)
		}
	}
	if !seen[specs.MountNamespace] {
		// pocket's init always builds the rootfs in a mount namespace of
		// its own; the host's is never touched.
		p.Cloneflags |= cloneFlags[specs.MountNamespace]
	}
	if !seen[specs.UTSNamespace] {
		p.Init.Hostname = "" // the host's: never renamed
	}
	return nil
}

// mounts translates the spec's mounts. Those pocket's init makes itself
// (systemMounts) are skipped; binds and tmpfs become init's Mounts in
// order; other types are refused rather than half done.
func mounts(ms []specs.Mount, bundle string) (out []ns.Mount, cgroupMount bool, err error) {
	for _, m := range ms {
		dst := path.Clean(m.Destination)
		if !path.IsAbs(dst) {
			return nil, false, fmt.Errorf("config.json: mount destination %q is not an absolute path", m.Destination)
		}
		if slices.Contains(systemMounts, dst) {
			if dst == "/sys/fs/cgroup" {
				cgroupMount = true
			}
			continue
		}
		bind := m.Type == "bind" || slices.Contains(m.Options, "bind") || slices.Contains(m.Options, "rbind")
		switch {
		case bind:
			src := m.Source
			if !filepath.IsAbs(src) {
				src = filepath.Join(bundle, src)
			}
			out = append(out, ns.Mount{Type: "bind", Source: src, Target: dst, Options: m.Options})
		case m.Type == "tmpfs":
			out = append(out, ns.Mount{Type: "tmpfs", Target: dst, Options: m.Options})
		default:
			return nil, false, fmt.Errorf("config.json: mount %s of type %q: %w (hint: bind or tmpfs)", dst, m.Type, ErrUnsupported)
		}
	}
	return out, cgroupMount, nil
}

// cgroupPath is the container's cgroupfs path. With systemd it reads
// "slice:prefix:name" (runc's --systemd-cgroup form) and names the
// directory systemd would make: /a.slice/a-b.slice/prefix-name.scope;
// pocket writes it through cgroupfs, without asking systemd.
func cgroupPath(p, id string, systemd bool) (string, error) {
	if !systemd {
		if p == "" {
			return "/" + id, nil
		}
		return filepath.Join("/", p), nil
	}
	slice, prefix, name := "system.slice", "", id
	if p != "" {
		parts := strings.Split(p, ":")
		if len(parts) != 3 {
			return "", fmt.Errorf("cgroupsPath %q: expected slice:prefix:name with --systemd-cgroup", p)
		}
		if parts[0] != "" {
			slice = parts[0]
		}
		prefix, name = parts[1], parts[2]
	}
	dir, err := expandSlice(slice)
	if err != nil {
		return "", err
	}
	unit := name
	if !strings.HasSuffix(name, ".slice") {
		if prefix != "" {
			unit = prefix + "-" + name
		}
		unit += ".scope"
	} else {
		// A slice as the unit: runc nests it under the parent slice.
		sub, err := expandSlice(name)
		if err != nil {
			return "", err
		}
		return sub, nil
	}
	return path.Join(dir, unit), nil
}

// expandSlice is systemd's path of a slice: "a-b-c.slice" lives at
// /a.slice/a-b.slice/a-b-c.slice; "-.slice" is the root.
func expandSlice(slice string) (string, error) {
	name, ok := strings.CutSuffix(slice, ".slice")
	if !ok || strings.Contains(name, "/") {
		return "", fmt.Errorf("cgroupsPath: %q is not a slice name", slice)
	}
	if name == "-" {
		return "/", nil
	}
	if name == "" || strings.HasPrefix(name, "-") || strings.HasSuffix(name, "-") || strings.Contains(name, "--") {
		return "", fmt.Errorf("cgroupsPath: %q is not a slice name", slice)
	}
	var b strings.Builder
	prefix := ""
	for _, part := range strings.Split(name, "-") {
		prefix += part
		b.WriteString("/" + prefix + ".slice")
		prefix += "-"
	}
	return b.String(), nil
}

// resources are the spec's limits with runc's device list added: the
// spec's rules, then an allow rule for each linux.devices node, then the
// nodes every container gets (libcontainer/specconv does the same).
func resources(l *specs.Linux) *specs.LinuxResources {
	var r specs.LinuxResources
	if l.Resources != nil {
		r = *l.Resources
	}
	r.BlockIO = blockIO(r.BlockIO)
	// Deny first, so that a spec without rules gets runc's list and not
	// every device; a spec's own "allow all" still wins, coming after.
	wild := int64(-1)
	devs := []specs.LinuxDeviceCgroup{{Allow: false, Type: "a", Major: &wild, Minor: &wild, Access: "rwm"}}
	for _, d := range r.Devices {
		// Complete each rule: the runtime-spec lets type and numbers
		// default to "all", containerd's eBPF compiler does not.
		if d.Type == "" {
			d.Type = "a"
		}
		if d.Major == nil {
			d.Major = &wild
		}
		if d.Minor == nil {
			d.Minor = &wild
		}
		devs = append(devs, d)
	}
	for _, d := range l.Devices {
		typ := d.Type
		switch typ {
		case "p":
			continue // a fifo is no device to the cgroup
		case "u":
			typ = "c"
		}
		major, minor := d.Major, d.Minor
		devs = append(devs, specs.LinuxDeviceCgroup{Allow: true, Type: typ, Major: &major, Minor: &minor, Access: "rwm"})
	}
	r.Devices = append(devs, cgroup.RuncDevices()...)
	return &r
}

// blockIO is b without weights of 0. The kernel's weights run from 10 to
// 1000 and 0 means none, as runc reads it: Docker sends weight 0 for every
// container started without --blkio-weight, and writing it fails, or
// finds no blkio.weight at all on a kernel without the CFQ/BFQ scheduler.
func blockIO(b *specs.LinuxBlockIO) *specs.LinuxBlockIO {
	if b == nil {
		return nil
	}
	c := *b
	if c.Weight != nil && *c.Weight == 0 {
		c.Weight = nil
	}
	if c.LeafWeight != nil && *c.LeafWeight == 0 {
		c.LeafWeight = nil
	}
	return &c
}
