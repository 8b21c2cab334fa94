package run

import (
	"path/filepath"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"pocket/filter"
	pfs "pocket/fs"
	"pocket/store"
)

// DiskUsage is `pocket system df`: what the store holds, as Docker's
// /system/df answers it.
type DiskUsage struct {
	LayersSize int64 // every stored layer once
	Images     []ImageUsage
	Containers []Summary // all of them, each with its SizeRw
	Volumes    []VolumeUsage
	BuildCache []BuildCacheRecord
}

// ImageUsage is an image with the space it shares and the containers that
// use it.
type ImageUsage struct {
	store.Image
	SharedSize int64 // bytes of its layers that other images use too
	Containers int   // containers, of any state, created from it
}

// VolumeUsage is a volume with its size and the containers using it.
type VolumeUsage struct {
	Name  string
	Links int
	Size  int64
}

// BuildCacheRecord is one build cache entry as Docker's df lists it.
type BuildCacheRecord struct {
	ID         string
	Type       string
	Size       int64
	Created    time.Time
	LastUsed   time.Time
	UsageCount int
	InUse      bool
	Shared     bool
}

// buildCacheUsage lists the build cache of a store as Docker's df does:
// a record per cached step, sized by the layer the step made (none for a
// metadata-only step); Shared when an image also has that layer, which
// pruning the cache then does not free. No cache entry is ever in use
// once its build is over.
func buildCacheUsage(s *store.Store, imageLayers map[v1.Hash]int) ([]BuildCacheRecord, error) {
	recs, err := s.CacheRecords()
	if err != nil {
		return nil, err
	}
	var out []BuildCacheRecord
	for _, r := range recs {
		b := BuildCacheRecord{ID: r.Key[:25], Type: "regular", Created: r.Created, LastUsed: r.Created, UsageCount: 1}
		if n := len(r.Layers); n > 0 {
			top := r.Layers[n-1]
			b.Size, _ = s.LayerSize(top)
			b.Shared = imageLayers[top] > 0
		}
		out = append(out, b)
	}
	return out, nil
}

// Usage measures the store: layer sizes come from the store's records,
// containers' writable layers and volumes are walked (as Docker does).
func Usage(s *store.Store) (*DiskUsage, error) {
	du := &DiskUsage{}
	imgs, err := s.Images()
	if err != nil {
		return nil, err
	}
	if du.Containers, err = List(s, ListOptions{All: true, Filters: filter.Args{}}); err != nil {
		return nil, err
	}
	users := map[string]int{}
	vusers := map[string]int{}
	for i, c := range du.Containers {
		users[c.ImageID]++
		du.Containers[i].SizeRw, _ = pfs.Size(filepath.Join(s.ContainerDir(c.ID), "upper"))
	}
	recs, err := s.Containers()
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		for _, v := range r.Volumes {
			vusers[v]++
		}
	}
	layerUsers := map[v1.Hash]int{}
	layerSize := map[v1.Hash]int64{}
	for _, img := range imgs {
		seen := map[v1.Hash]bool{} // a layer twice in one image is not shared
		for _, l := range img.Layers {
			if _, ok := layerSize[l]; !ok {
				layerSize[l], _ = s.LayerSize(l)
				du.LayersSize += layerSize[l]
			}
			if !seen[l] {
				seen[l] = true
				layerUsers[l]++
			}
		}
	}
	for _, img := range imgs {
		u := ImageUsage{Image: img, Containers: users[img.ID.String()]}
		seen := map[v1.Hash]bool{}
		for _, l := range img.Layers {
			if layerUsers[l] > 1 && !seen[l] {
				seen[l] = true
				u.SharedSize += layerSize[l]
			}
		}
		du.Images = append(du.Images, u)
	}
	vols, err := s.Volumes()
	if err != nil {
		return nil, err
	}
	for _, v := range vols {
		n, _ := pfs.Size(v.Mountpoint)
		du.Volumes = append(du.Volumes, VolumeUsage{Name: v.Name, Links: vusers[v.Name], Size: n})
	}
	if du.BuildCache, err = buildCacheUsage(s, layerUsers); err != nil {
		return nil, err
	}
	return du, nil
}
