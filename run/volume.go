package run

import (
	"errors"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"

	"pocket/ns"
	"pocket/plan"
	"pocket/rootfs"
	"pocket/store"
)

// mountPlan is what prepareMounts set up for one container.
type mountPlan struct {
	mounts  []ns.Mount // in command-line order; sortMounts orders them
	volumes []string   // every volume the container references, for its record
	created []string   // volumes this call created, removed by undo on failure
	points  []MountPoint
	filling []func() // volume locks held while they are filled
}

// prepareMounts turns parsed mounts into ns mounts: it creates missing -v
// host directories and volumes, and copies the image's content at each
// volume's target into a volume that is still empty (unless nocopy), the
// way Docker populates a fresh volume. lower is the image's layers,
// topmost first. On error the volumes it created are listed in the plan
// for undo, which must run once the caller's store Hold is released.
func prepareMounts(s *store.Store, specs []plan.MountSpec, lower []string, userXattr bool) (*mountPlan, error) {
	p := &mountPlan{}
	var copies []rootfs.CopyUp
	// A volume is filled only while it is locked against its users, and
	// not at all while a running container uses it (see copyTree).
	fill := map[string]bool{}
	defer func() {
		for _, release := range p.filling {
			release()
		}
		p.filling = nil
	}()
	for _, m := range specs {
		switch m.Type {
		case "tmpfs":
			p.mounts = append(p.mounts, ns.Mount{Type: "tmpfs", Source: "tmpfs", Target: m.Target, Options: m.Options, Readonly: m.ReadOnly})
			p.points = append(p.points, mountPoint(m, "", ""))
		case "bind":
			if err := bindSource(m); err != nil {
				return p, err
			}
			p.mounts = append(p.mounts, ns.Mount{Type: "bind", Source: m.Source, Target: m.Target, Options: m.Options, Readonly: m.ReadOnly})
			p.points = append(p.points, mountPoint(m, "", m.Source))
		case "volume":
			v, created, err := volume(s, m.Source)
			if err != nil {
				return p, fmt.Errorf("mount %s: %w", m.Target, err)
			}
			if created {
				p.created = append(p.created, v.Name)
			}
			if !slices.Contains(p.volumes, v.Name) {
				p.volumes = append(p.volumes, v.Name)
			}
			if _, seen := fill[v.Name]; !seen && !m.NoCopy {
				release, ok, err := s.FillVolume(v.Name)
				if err != nil {
					return p, fmt.Errorf("mount %s: %w", m.Target, err)
				}
				fill[v.Name] = ok
				if ok {
					p.filling = append(p.filling, release)
				}
			}
			if fill[v.Name] && !m.NoCopy {
				copies = append(copies, rootfs.CopyUp{Target: m.Target, Dst: v.Mountpoint})
			}
			p.mounts = append(p.mounts, ns.Mount{Type: "bind", Source: v.Mountpoint, Target: m.Target, Readonly: m.ReadOnly})
			p.points = append(p.points, mountPoint(m, v.Name, v.Mountpoint))
		default:
			return p, plan.BadMount("unknown mount type %q", m.Type)
		}
	}
	if err := rootfs.Populate(lower, userXattr, copies); err != nil {
		return p, err
	}
	return p, nil
}

// MountPoint is one entry of inspect's Mounts, in Docker's shape; a
// container's spec keeps them as it was created.
type MountPoint struct {
	Type        string `json:"Type"` // "volume", "bind" or "tmpfs"
	Name        string `json:"Name,omitempty"`
	Source      string `json:"Source"`
	Destination string `json:"Destination"`
	Driver      string `json:"Driver,omitempty"`
	Mode        string `json:"Mode"`
	RW          bool   `json:"RW"`
	Propagation string `json:"Propagation"`
}

// mountPoint describes m as Docker's inspect does: a named volume's mode
// defaults to "z", a bind mount's propagation to rprivate.
func mountPoint(m plan.MountSpec, volume, source string) MountPoint {
	mp := MountPoint{Type: m.Type, Source: source, Destination: m.Target, Mode: m.Mode, RW: !m.ReadOnly}
	switch m.Type {
	case "volume":
		mp.Name, mp.Driver = volume, "local"
		if m.Source != "" && mp.Mode == "" {
			mp.Mode = "z"
		}
	case "bind":
		mp.Propagation = "rprivate"
		for _, o := range m.Options {
			mp.Propagation = o
		}
	}
	return mp
}

// bindSource checks a bind mount's host path. -v creates a missing
// directory, as docker run does; --mount refuses it, as Docker does.
func bindSource(m plan.MountSpec) error {
	_, err := os.Stat(m.Source)
	switch {
	case err == nil:
		return nil
	case !errors.Is(err, os.ErrNotExist):
		return plan.BadMount("bind source %s: %v", m.Source, err)
	case !m.Create:
		return plan.BadMount("invalid mount config for type \"bind\": bind source path does not exist: %s (hint: create it, or use -v, which creates it)", m.Source)
	}
	if err := os.MkdirAll(m.Source, 0o755); err != nil {
		return plan.BadMount("create bind source %s: %v", m.Source, err)
	}
	return nil
}

// volume finds or creates a named volume, or creates an anonymous one
// (name ""); created says whether this call made it.
func volume(s *store.Store, name string) (*store.Volume, bool, error) {
	if name != "" {
		if v, err := s.Volume(name); err == nil {
			return v, false, nil
		} else if !errors.Is(err, store.ErrVolumeUnknown) {
			return nil, false, err
		}
	}
	v, err := s.CreateVolume(name, name == "")
	if err != nil {
		return nil, false, err
	}
	return v, true, nil
}

// undo removes the volumes the plan created. It takes the store's
// exclusive lock, so the caller must not hold Hold.
func (p *mountPlan) undo(s *store.Store) {
	if p == nil {
		return
	}
	for _, n := range p.created {
		s.RemoveVolume(n, false)
	}
	p.created = nil
}

// sortMounts orders mounts parents first (by path depth, stable), so that
// -v /a/b is not hidden by a later -v /a, as Docker sorts them.
func sortMounts(ms []ns.Mount) []ns.Mount {
	depth := func(p string) int { return strings.Count(path.Clean(p), "/") }
	slices.SortStableFunc(ms, func(a, b ns.Mount) int { return depth(a.Target) - depth(b.Target) })
	return ms
}

// useVolumes marks the container's volumes in use until release, so that
// no other container fills them meanwhile; it waits for a fill under way.
func useVolumes(s *store.Store, mounts []MountPoint) (release func(), err error) {
	var held []func()
	release = func() {
		for _, r := range held {
			r()
		}
	}
	done := map[string]bool{}
	for _, m := range mounts {
		if m.Type != "volume" || m.Name == "" || done[m.Name] {
			continue
		}
		done[m.Name] = true
		r, err := s.UseVolume(m.Name)
		if err != nil {
			release()
			return func() {}, fmt.Errorf("volume %s: %w", m.Name, err)
		}
		held = append(held, r)
	}
	return release, nil
}

// anonymousVolumes lists the anonymous volumes a container references; they
// go with it on --rm or rm -v, while named volumes stay.
func anonymousVolumes(s *store.Store, id string) []string {
	rec, err := s.LookupContainer(id)
	if err != nil {
		return nil
	}
	var out []string
	for _, n := range rec.Volumes {
		if v, err := s.Volume(n); err == nil && v.Anonymous {
			out = append(out, n)
		}
	}
	return out
}

// removeVolumes removes volumes after their container is gone. One that
// another container still references, or that is already gone, is kept or
// skipped silently, as Docker does.
func removeVolumes(s *store.Store, names []string) error {
	var errs []error
	for _, n := range names {
		err := s.RemoveVolume(n, false)
		if err != nil && !errors.Is(err, store.ErrVolumeInUse) && !errors.Is(err, store.ErrVolumeUnknown) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
