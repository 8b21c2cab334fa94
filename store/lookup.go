package store

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

var hexPrefix = regexp.MustCompile(`^[a-f0-9]{1,64}$`)

// CheckImageRef reports whether ref can name an image for LookupImage: a
// reference, or a full or prefixed image ID. Callers check before they
// look up, so that a malformed reference fails at once instead of as a
// missing image to pull.
func CheckImageRef(ref string) error {
	_, err := ParseReference(ref)
	if err != nil && hexPrefix.MatchString(strings.TrimPrefix(ref, "sha256:")) {
		return nil
	}
	return err
}

// LookupImage finds an image as Docker does: by name[:tag] (normalized),
// name@digest, full or prefixed image ID, or sha256:ID.
func (s *Store) LookupImage(ref string) (*Image, error) {
	ix, err := s.readIndex()
	if err != nil {
		return nil, err
	}
	img, _, err := ix.lookup(ref)
	if err != nil {
		return nil, err
	}
	out := *img
	return &out, nil
}

// lookup resolves ref in Docker's order: a name that exists, then a full
// ID, then a unique ID prefix. byName is the canonical name it matched, or
// "" when ref matched by ID.
func (ix *index) lookup(ref string) (img *Image, byName string, err error) {
	r, perr := ParseReference(ref)
	if perr == nil {
		n := canonical(r)
		for _, img := range ix.Images {
			list := img.Names
			if _, ok := r.(name.Digest); ok {
				list = img.Digests
			}
			if slices.Contains(list, n) {
				return img, n, nil
			}
		}
	}
	id := strings.TrimPrefix(ref, "sha256:")
	if hexPrefix.MatchString(id) {
		var found []*Image
		for _, img := range ix.Images {
			if img.ID.Hex == id {
				return img, "", nil
			}
			if strings.HasPrefix(img.ID.Hex, id) {
				found = append(found, img)
			}
		}
		switch len(found) {
		case 1:
			return found[0], "", nil
		case 0:
		default:
			return nil, "", fmt.Errorf("%w: %s matches %d images (hint: give more of the ID)", ErrAmbiguous, ref, len(found))
		}
	}
	shown := ref
	if perr == nil {
		shown = familiar(canonical(r))
	}
	return nil, "", fmt.Errorf("%w: %s", ErrImageUnknown, shown)
}
