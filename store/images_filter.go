package store

import (
	"pocket/filter"
)

// ImageFilterKeys are the `images --filter` keys pocket answers.
var ImageFilterKeys = []string{"dangling", "before", "since", "reference", "label"}

// FilterImages is `pocket images --filter`: dangling (an image without a
// name), before and since (an image created before or after the one
// named), label (the config's labels; several are ANDed). reference,
// which matches each name, is for the caller that expands images into
// rows.
func (s *Store) FilterImages(f filter.Args) ([]Image, error) {
	dangling, byDangling, err := f.Bool("dangling")
	if err != nil {
		return nil, err
	}
	ix, err := s.readIndex()
	if err != nil {
		return nil, err
	}
	bound := func(key string) (*Image, error) {
		var img *Image
		for _, v := range f[key] {
			if img, _, err = ix.lookup(v); err != nil {
				return nil, err
			}
		}
		return img, nil
	}
	before, err := bound("before")
	if err != nil {
		return nil, err
	}
	since, err := bound("since")
	if err != nil {
		return nil, err
	}
	imgs, err := s.Images()
	if err != nil {
		return nil, err
	}
	out := []Image{}
	for _, img := range imgs {
		if byDangling && (len(img.Names) == 0) != dangling ||
			before != nil && !img.Created.Before(before.Created) ||
			since != nil && !img.Created.After(since.Created) {
			continue
		}
		if f.Has("label") {
			cfg, err := s.Config(&img)
			if err != nil {
				return nil, err
			}
			if !f.Labels("label", cfg.Config.Labels) {
				continue
			}
		}
		out = append(out, img)
	}
	return out, nil
}
