package store

import (
	"fmt"
	"slices"
	"strings"

	"pocket/reference"
)

func short(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// isSingleReference is moby's rule (daemon/images/image_delete.go): the
// references are at most one tag plus digests, all of one repository.
func isSingleReference(refs []string) bool {
	if len(refs) <= 1 {
		return len(refs) == 1
	}
	single := ""
	digestRepos := map[string]bool{}
	for _, r := range refs {
		repo, rest := reference.Split(r)
		switch {
		case strings.HasPrefix(rest, "@"):
			digestRepos[repo] = true
		case single == "":
			single = r
		default:
			return false
		}
	}
	if single == "" {
		single = refs[0]
	}
	repo, _ := reference.Split(single)
	return len(digestRepos) == 1 && digestRepos[repo]
}

func (img *Image) refs() []string {
	return append(slices.Clone(img.Names), img.Digests...)
}

// dropRef removes one canonical name or digest from the image.
func (img *Image) dropRef(n string) {
	img.Names = slices.DeleteFunc(img.Names, func(x string) bool { return x == n })
	img.Digests = slices.DeleteFunc(img.Digests, func(x string) bool { return x == n })
}

// RemoveImage untags ref, or deletes the image when ref is its ID or its last
// name. Refused with ErrImageInUse while a container uses it unless force;
// with force the names go but the record stays, dangling, until no
// container uses it. It returns Docker's "Untagged:" and "Deleted:" lines.
// Unreferenced layers and blobs are collected afterwards.
func (s *Store) RemoveImage(ref string, force bool) (untagged, deleted []string, err error) {
	unlockGC, err := s.exclusiveGC()
	if err != nil {
		return nil, nil, err
	}
	defer unlockGC()
	containers, err := s.Containers()
	if err != nil {
		return nil, nil, err
	}
	err = s.updateIndex(func(ix *index) error {
		img, byName, err := ix.lookup(ref)
		if err != nil {
			return err
		}
		var user *Container
		for i := range containers {
			if containers[i].Image == img.ID {
				user = &containers[i]
				break
			}
		}
		untag := func(n string) {
			img.dropRef(n)
			untagged = append(untagged, "Untagged: "+reference.FamiliarString(n))
		}
		untagAll := func() {
			for _, n := range img.refs() {
				untag(n)
			}
		}
		if byName != "" {
			if !force && user != nil && isSingleReference(img.refs()) {
				return &conflictError{kind: ErrImageInUse, msg: fmt.Sprintf(
					"conflict: unable to remove repository reference %q (must force) - container %s is using its referenced image %s",
					ref, short(user.ID), short(img.ID.Hex))}
			}
			untag(byName)
			repo, rest := reference.Split(byName)
			if !strings.HasPrefix(rest, "@") {
				// The last tag of a repository takes its digests along.
				tagLeft := slices.ContainsFunc(img.Names, func(n string) bool { r, _ := reference.Split(n); return r == repo })
				if !tagLeft {
					for _, d := range slices.Clone(img.Digests) {
						if r, _ := reference.Split(d); r == repo {
							untag(d)
						}
					}
				}
			}
			if len(img.refs()) > 0 {
				return nil
			}
		} else if isSingleReference(img.refs()) {
			if !force && user != nil {
				return inUse(img, user)
			}
			untagAll()
		}
		if user != nil {
			if !force {
				return inUse(img, user)
			}
			untagAll() // the record stays, dangling, for the container
			return nil
		}
		if len(img.refs()) > 0 {
			if !force {
				return &conflictError{kind: ErrConflict, msg: fmt.Sprintf(
					"conflict: unable to delete %s (must be forced) - image is referenced in multiple repositories", short(img.ID.Hex))}
			}
			untagAll()
		}
		ix.remove(img.ID)
		deleted = append(deleted, "Deleted: "+img.ID.String())
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if len(deleted) > 0 {
		if _, err := s.gc(); err != nil {
			return untagged, deleted, err
		}
	}
	return untagged, deleted, nil
}

func inUse(img *Image, c *Container) error {
	return &conflictError{kind: ErrImageInUse, msg: fmt.Sprintf(
		"conflict: unable to delete %s (must be forced) - image is being used by container %s", short(img.ID.Hex), short(c.ID))}
}

// PruneImages removes dangling images (all unused ones with all) and then
// unreferenced layers and blobs; it returns the deleted IDs and bytes freed.
// Images a container uses are kept.
func (s *Store) PruneImages(all bool, match func(*Image) bool) (deleted []string, reclaimed int64, err error) {
	unlockGC, err := s.exclusiveGC()
	if err != nil {
		return nil, 0, err
	}
	defer unlockGC()
	containers, err := s.Containers()
	if err != nil {
		return nil, 0, err
	}
	used := map[string]bool{}
	for _, c := range containers {
		used[c.Image.String()] = true
	}
	err = s.updateIndex(func(ix *index) error {
		for _, img := range slices.Clone(ix.Images) {
			if used[img.ID.String()] || (!all && len(img.Names) > 0) || (match != nil && !match(img)) {
				continue
			}
			ix.remove(img.ID)
			deleted = append(deleted, img.ID.String())
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	reclaimed, err = s.gc()
	return deleted, reclaimed, err
}
