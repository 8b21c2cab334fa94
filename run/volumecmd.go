package run

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"pocket/filter"
	"pocket/store"
)

// anonymousLabel is the label Docker 23+ puts on anonymous volumes; prune
// without -a removes only volumes that carry it.
const anonymousLabel = "com.docker.volume.anonymous"

// VolumeInfo is `pocket volume inspect`'s Docker-shaped object.
type VolumeInfo struct {
	CreatedAt  string            `json:"CreatedAt"`
	Driver     string            `json:"Driver"`
	Labels     map[string]string `json:"Labels"`
	Mountpoint string            `json:"Mountpoint"`
	Name       string            `json:"Name"`
	Options    map[string]string `json:"Options"`
	Scope      string            `json:"Scope"`
}

// VolumeSummary is one row of `pocket volume ls`, its fields docker/cli's
// volume context's in the order of their JSON keys. Links and Size are
// "N/A" as Docker's outside system df -v.
type VolumeSummary struct {
	Driver     string `json:"Driver"`
	Labels     string `json:"Labels"`
	Links      string `json:"Links"`
	Mountpoint string `json:"Mountpoint"`
	Name       string `json:"Name"`
	Scope      string `json:"Scope"`
	Size       string `json:"Size"`
}

func volumeInfo(v *store.Volume) VolumeInfo {
	labels := maps.Clone(v.Labels)
	if v.Anonymous {
		if labels == nil {
			labels = map[string]string{}
		}
		labels[anonymousLabel] = ""
	}
	return VolumeInfo{
		CreatedAt: v.CreatedAt.Local().Format(time.RFC3339), Driver: "local", Labels: labels,
		Mountpoint: v.Mountpoint, Name: v.Name, Options: nil, Scope: "local",
	}
}

// VolumeCreate is `pocket volume create [NAME]`: it returns the volume's
// name (a random one when name is empty). An existing volume is reused, as
// Docker does.
func VolumeCreate(s *store.Store, name string) (string, error) {
	v, err := s.CreateVolume(name, false)
	if err != nil {
		return "", err
	}
	return v.Name, nil
}

// VolumeFilterKeys are `volume ls --filter`'s keys, as Docker's.
var VolumeFilterKeys = []string{"dangling", "label", "name", "driver"}

// VolumeList is `pocket volume ls`, sorted by name, with Docker's filters:
// dangling (used by no container), label, name (a substring) and driver.
func VolumeList(s *store.Store, f filter.Args) ([]VolumeSummary, error) {
	dangling, byDangling, err := f.Bool("dangling")
	if err != nil {
		return nil, err
	}
	vols, err := s.Volumes()
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	if byDangling {
		recs, err := s.Containers()
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			for _, v := range r.Volumes {
				used[v] = true
			}
		}
	}
	out := make([]VolumeSummary, 0, len(vols))
	for i := range vols {
		info := volumeInfo(&vols[i])
		if byDangling && used[info.Name] == dangling ||
			!f.Any("name", func(v string) bool { return strings.Contains(info.Name, v) }) ||
			!f.Exact("driver", info.Driver) || !f.Labels("label", info.Labels) {
			continue
		}
		var labels []string
		for _, k := range slices.Sorted(maps.Keys(info.Labels)) {
			labels = append(labels, k+"="+info.Labels[k])
		}
		out = append(out, VolumeSummary{Driver: info.Driver, Labels: strings.Join(labels, ","), Links: "N/A", Size: "N/A",
			Mountpoint: info.Mountpoint, Name: info.Name, Scope: info.Scope})
	}
	return out, nil
}

// VolumeInspect is `pocket volume inspect NAME`.
func VolumeInspect(s *store.Store, name string) (VolumeInfo, error) {
	v, err := s.Volume(name)
	if err != nil {
		return VolumeInfo{}, err
	}
	return volumeInfo(v), nil
}

// VolumeRemove is `pocket volume rm [-f] NAME`. As with Docker, force only
// makes a missing volume no error: a volume a container references is
// refused even then.
func VolumeRemove(s *store.Store, name string, force bool) error {
	err := s.RemoveVolume(name, false)
	if force && errors.Is(err, store.ErrVolumeUnknown) {
		return nil
	}
	return err
}

// VolumePrune is `pocket volume prune [-a]`: volumes no container
// references, only anonymous ones unless all. It returns their names and
// the bytes freed.
func VolumePrune(s *store.Store, all bool) ([]string, int64, error) {
	return s.PruneVolumes(all, nil)
}
