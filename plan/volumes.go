package plan

import (
	"path"
	"slices"
)

// userMounts parses -v and --mount, and returns them with every target a
// user mount takes (--tmpfs included). Every target is compared cleaned:
// "/data/" and "/data" are one.
func userMounts(o *Options) ([]MountSpec, map[string]bool, error) {
	var specs []MountSpec
	for _, v := range o.Volumes {
		m, err := ParseVolume(v)
		if err != nil {
			return nil, nil, err
		}
		specs = append(specs, m)
	}
	for _, v := range o.Mounts {
		m, err := ParseMount(v)
		if err != nil {
			return nil, nil, err
		}
		specs = append(specs, m)
	}
	taken := map[string]bool{}
	for _, t := range o.Tmpfs {
		m, err := ParseTmpfs(t)
		if err != nil {
			return nil, nil, err
		}
		taken[m.Target] = true
	}
	for i := range specs {
		specs[i].Target = path.Clean(specs[i].Target)
		if taken[specs[i].Target] {
			return nil, nil, BadMount("duplicate mount point: %s", specs[i].Target)
		}
		taken[specs[i].Target] = true
	}
	return specs, taken, nil
}

// Volumes is the container's -v and --mount, then an anonymous volume for
// each VOLUME of the image that no user mount (--tmpfs included) already
// targets. It touches nothing.
func (p *Plan) Volumes(imageVolumes map[string]struct{}) []MountSpec {
	specs := slices.Clone(p.Mounts)
	taken := map[string]bool{}
	for t := range p.taken {
		taken[t] = true
	}
	var extra []string
	for v := range imageVolumes {
		t := path.Clean(v)
		// The image config is hostile: a VOLUME it cannot mount is
		// ignored, as Docker's "/" or relative entries would fail there.
		if !path.IsAbs(t) || t == "/" || taken[t] {
			continue
		}
		taken[t] = true
		extra = append(extra, t)
	}
	slices.Sort(extra)
	for _, t := range extra {
		specs = append(specs, MountSpec{Type: "volume", Target: t})
	}
	return specs
}
