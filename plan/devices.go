package plan

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"pocket/cgroup"
	"pocket/ns"
)

// DeviceMapping is one --device, as inspect shows it in
// HostConfig.Devices.
type DeviceMapping struct {
	PathOnHost        string `json:"PathOnHost"`
	PathInContainer   string `json:"PathInContainer"`
	CgroupPermissions string `json:"CgroupPermissions"`
}

// Devices is what --device, --device-cgroup-rule and --privileged ask
// of a container's devices.
type Devices struct {
	Mappings []DeviceMapping // --device, for inspect
	Rules    []string        // --device-cgroup-rule as given, for inspect
	Nodes    []ns.Device     // made in the container besides the defaults
	// Cgroup is the device cgroup's rules; nil for rootless pocket, which
	// has no device cgroup (see planDevices).
	Cgroup []specs.LinuxDeviceCgroup
}

// planDevices turns the device flags into the nodes to make and the device
// cgroup rules, as Docker does: deny every device but the default nodes,
// allow mknod of any (opening stays denied), and add each --device and
// --device-cgroup-rule; --privileged allows every device and gives the
// container the host's device nodes.
//
// Rootless pocket has no device cgroup: cgroup v1 is root's, and a v2
// eBPF device program needs CAP_SYS_ADMIN on the host even in a delegated
// subtree. It needs none either: in a user namespace the kernel refuses
// mknod of a real device, and a --device is the host's own node bind-mounted,
// which the user may open only as the host's permissions allow. What it
// cannot honour (a --device-cgroup-rule, --device permissions narrower
// than rw) is refused, never ignored.
func planDevices(o *Options, rootless bool) (*Devices, error) {
	p := &Devices{}
	var extra []specs.LinuxDeviceCgroup
	for _, s := range o.Devices {
		m, err := parseDevice(s)
		if err != nil {
			return nil, err
		}
		if o.Privileged {
			// As Docker: every device is allowed, :PERMS does not narrow it.
			m.CgroupPermissions = "rwm"
		}
		nodes, err := hostDevices(m.PathOnHost, m.PathInContainer)
		if err != nil {
			return nil, fmt.Errorf("%w: --device %s: %w", ErrBadOption, m.PathOnHost, err)
		}
		if rootless {
			if err := checkRootlessDevice(m, nodes); err != nil {
				return nil, err
			}
		}
		for _, n := range nodes {
			extra = append(extra, specs.LinuxDeviceCgroup{
				Allow: true, Type: n.Type, Major: &n.Major, Minor: &n.Minor, Access: m.CgroupPermissions,
			})
		}
		p.Mappings = append(p.Mappings, m)
		p.Nodes = append(p.Nodes, nodes...)
	}
	for _, s := range o.DeviceCgroupRules {
		r, err := cgroup.ParseDeviceRule(s)
		if err != nil {
			return nil, fmt.Errorf("%w: --device-cgroup-rule: %w", ErrBadOption, err)
		}
		if rootless {
			return nil, fmt.Errorf("%w: --device-cgroup-rule %q: rootless pocket has no device cgroup "+
				"(hint: run pocket as root; rootless, pass the device with --device)", ErrBadOption, s)
		}
		extra = append(extra, r)
		p.Rules = append(p.Rules, s)
	}
	if o.Privileged {
		host, err := hostDevices("/dev", "/dev")
		if err != nil {
			return nil, fmt.Errorf("--privileged: the host's devices: %w", err)
		}
		p.Nodes = append(privilegedDevices(host), p.Nodes...)
	}
	p.Nodes = dedupDevices(p.Nodes)
	switch {
	case rootless:
	case o.Privileged:
		p.Cgroup = cgroup.AllDevices()
	default:
		p.Cgroup = cgroup.DeviceRules(extra...)
	}
	return p, nil
}

// parseDevice reads --device HOST[:CONTAINER][:PERMS] as Docker's CLI
// does (parseLinuxDevice, validateLinuxPath): CONTAINER defaults to HOST,
// PERMS to rwm, and a second field that is a valid PERMS is PERMS.
func parseDevice(s string) (DeviceMapping, error) {
	bad := func(why string) error {
		return fmt.Errorf("%w: --device %q: %s "+
			"(hint: HOST[:CONTAINER[:PERMS]], as /dev/fuse or /dev/loop0:/dev/xvdc:rw; PERMS of r, w and m)", ErrBadOption, s, why)
	}
	f := strings.Split(s, ":")
	m := DeviceMapping{PathOnHost: f[0], CgroupPermissions: "rwm"}
	switch {
	case f[0] == "" || len(f) > 3:
		return m, bad("bad format for path")
	case len(f) == 2 && cgroup.ValidDeviceAccess(f[1]):
		m.CgroupPermissions = f[1]
	case len(f) >= 2:
		m.PathInContainer = f[1]
	}
	if len(f) == 3 {
		if !cgroup.ValidDeviceAccess(f[2]) {
			return m, bad("bad mode specified: " + f[2])
		}
		m.CgroupPermissions = f[2]
	}
	if m.PathInContainer == "" {
		m.PathInContainer = m.PathOnHost
	}
	if !path.IsAbs(m.PathInContainer) {
		return m, bad(m.PathInContainer + " is not an absolute path")
	}
	m.PathInContainer = path.Clean(m.PathInContainer)
	return m, nil
}

// hostDevices is the device node at host (symlinks followed, as Docker
// does for /dev/disk/by-id/...) to appear at target, or, for a directory,
// every node below it at the same place below target.
func hostDevices(host, target string) ([]ns.Device, error) {
	resolved, err := filepath.EvalSymlinks(host)
	if err != nil {
		return nil, err
	}
	d, err := deviceAt(resolved, target)
	if err == nil {
		return []ns.Device{d}, nil
	}
	fi, serr := os.Stat(resolved)
	if !errors.Is(err, errNotDevice) || serr != nil || !fi.IsDir() {
		return nil, err
	}
	var out []ns.Device
	err = filepath.WalkDir(resolved, func(p string, e fs.DirEntry, err error) error {
		if p != resolved && errors.Is(err, fs.ErrPermission) {
			return filepath.SkipDir // rootless: nothing in it the user could open
		}
		if err != nil {
			return err
		}
		if p != resolved && e.IsDir() && skipDevDir(resolved, p) {
			return filepath.SkipDir
		}
		if e.Type()&(fs.ModeDevice|fs.ModeCharDevice) == 0 {
			return nil // directories, symlinks, files
		}
		rel, _ := filepath.Rel(resolved, p)
		d, err := deviceAt(p, path.Join(target, filepath.ToSlash(rel)))
		if errors.Is(err, errNotDevice) || errors.Is(err, fs.ErrNotExist) {
			return nil // replaced or gone since the listing
		}
		out = append(out, d)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errNotDevice
	}
	return out, nil
}

var errNotDevice = errors.New("not a device node (hint: --device takes a character or block device, or a directory holding some)")

// deviceAt describes the host node p, to be made at target with the host
// node's type, number, mode and owner (as Docker does).
func deviceAt(p, target string) (ns.Device, error) {
	var st unix.Stat_t
	if err := unix.Stat(p, &st); err != nil {
		return ns.Device{}, &os.PathError{Op: "stat", Path: p, Err: err}
	}
	d := ns.Device{Source: p}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFCHR:
		d.Type = "c"
	case unix.S_IFBLK:
		d.Type = "b"
	default:
		return d, errNotDevice
	}
	mode := fs.FileMode(st.Mode & 0o777)
	d.Path, d.Major, d.Minor = target, int64(unix.Major(uint64(st.Rdev))), int64(unix.Minor(uint64(st.Rdev)))
	d.FileMode, d.UID, d.GID = &mode, &st.Uid, &st.Gid
	return d, nil
}

// skipDevDir leaves out what is not the host's device nodes, as
// containerd's HostDevices does: the host's own devpts, shm, mqueue.
func skipDevDir(root, dir string) bool {
	if root != "/dev" {
		return false
	}
	switch filepath.Base(dir) {
	case "pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev":
		return filepath.Dir(dir) == root
	}
	return false
}

// privilegedDevices drops from the host's nodes those the container has
// its own of: its console and its devpts's ptmx (as runc does).
func privilegedDevices(host []ns.Device) []ns.Device {
	var out []ns.Device
	for _, d := range host {
		if d.Path != "/dev/console" && d.Path != "/dev/ptmx" {
			out = append(out, d)
		}
	}
	return out
}

// dedupDevices keeps the last node for each path: a --device wins over the
// host's node of the same name.
func dedupDevices(devs []ns.Device) []ns.Device {
	last := map[string]int{}
	for i, d := range devs {
		last[d.Path] = i
	}
	var out []ns.Device
	for i, d := range devs {
		if last[d.Path] == i {
			out = append(out, d)
		}
	}
	return out
}

// checkRootlessDevice refuses, for rootless pocket, a --device the user
// could not open on the host (the bind mount gives no more) or whose
// permissions only a device cgroup could enforce.
func checkRootlessDevice(m DeviceMapping, nodes []ns.Device) error {
	if !strings.Contains(m.CgroupPermissions, "r") || !strings.Contains(m.CgroupPermissions, "w") {
		return fmt.Errorf("%w: --device %s: rootless pocket has no device cgroup to limit a device to %q "+
			"(hint: drop :%s; the host's permissions on the node apply)", ErrBadOption, m.PathOnHost, m.CgroupPermissions, m.CgroupPermissions)
	}
	for _, n := range nodes {
		if err := unix.Access(n.Source, unix.R_OK|unix.W_OK); err != nil {
			return fmt.Errorf("%w: --device %s: %w: rootless pocket passes the host's node, which your user may not open "+
				"(hint: give your user access to it, e.g. with a udev rule or group, or run pocket as root)",
				ErrBadOption, m.PathOnHost, &os.PathError{Op: "open", Path: n.Source, Err: err})
		}
	}
	return nil
}
