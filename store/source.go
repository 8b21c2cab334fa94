package store

import (
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// SourceRepo spells repo as Image.Sources keeps it: the registry as
// reached (a mirror's own host, not docker.io) and its scheme, so a later
// push can reach it again: "https://index.docker.io/library/busybox",
// "http://127.0.0.1:5000/library/busybox".
func SourceRepo(repo name.Repository) string {
	return repo.Scheme() + "://" + repo.Name()
}

// ParseSourceRepo reads what SourceRepo wrote.
func ParseSourceRepo(src string) (name.Repository, error) {
	scheme, rest, ok := strings.Cut(src, "://")
	var opts []name.Option
	switch {
	case !ok:
		return name.Repository{}, fmt.Errorf("image source %q: no scheme", src)
	case scheme == "http":
		opts = append(opts, name.Insecure)
	case scheme != "https":
		return name.Repository{}, fmt.Errorf("image source %q: scheme %q", src, scheme)
	}
	return name.NewRepository(rest, append(opts, name.StrictValidation)...)
}

// AddSource records that repo (a SourceRepo string) holds every blob of
// the manifest with digest manifest of image id. It does nothing when the
// image's manifest has changed since: the repository vouches for that
// manifest's blobs only.
func (s *Store) AddSource(id, manifest v1.Hash, repo string) error {
	return s.updateIndex(func(ix *index) error {
		img := ix.byID(id)
		if img == nil {
			return fmt.Errorf("%w: %s", ErrImageUnknown, id)
		}
		if img.Manifest != manifest || slices.Contains(img.Sources, repo) {
			return errUnchanged
		}
		img.Sources = append(img.Sources, repo)
		return nil
	})
}

// SetManifest makes manifest, just pushed to repo (a SourceRepo string),
// the manifest of image id, with repo as a source: the next push of the
// image anywhere sends it again and keeps its digest. One index write
// where AddImage and AddSource would make two.
func (s *Store) SetManifest(id v1.Hash, manifest []byte, repo string) error {
	d, err := s.PutBlob(manifest)
	if err != nil {
		return err
	}
	return s.updateIndex(func(ix *index) error {
		img := ix.byID(id)
		if img == nil {
			return fmt.Errorf("%w: %s", ErrImageUnknown, id)
		}
		switch {
		case img.Manifest != d:
			// Sources vouch for the blobs of one manifest only.
			img.Manifest, img.Sources = d, []string{repo}
		case !slices.Contains(img.Sources, repo):
			img.Sources = append(img.Sources, repo)
		default:
			return errUnchanged
		}
		return nil
	})
}
