package store

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"pocket/reference"
)

var hexPrefix = hexRange{1, 64}

// LookupImage finds the image ref names: by tag, or by digest for a
// name.Digest.
func (s *Store) LookupImage(ref name.Reference) (*Image, error) {
	ix, err := s.readIndex()
	if err != nil {
		return nil, err
	}
	img, _ := ix.byName(ref)
	if img == nil {
		return nil, fmt.Errorf("%w: %s", ErrImageUnknown, reference.Familiar(ref))
	}
	out := *img
	return &out, nil
}

// ImageByID finds the image whose ID is id.
func (s *Store) ImageByID(id v1.Hash) (*Image, error) {
	ix, err := s.readIndex()
	if err != nil {
		return nil, err
	}
	img := ix.byID(id)
	if img == nil {
		return nil, fmt.Errorf("%w: %s", ErrImageUnknown, id)
	}
	out := *img
	return &out, nil
}

// FindImage finds the image one IMAGE argument of a command names, as
// Docker reads it: a name[:tag] or name@digest (parsed with
// reference.Parse), else a full or prefixed image ID, or sha256:ID.
func (s *Store) FindImage(arg string) (*Image, error) {
	ix, err := s.readIndex()
	if err != nil {
		return nil, err
	}
	img, _, err := ix.lookup(arg)
	if err != nil {
		return nil, err
	}
	out := *img
	return &out, nil
}

// byName is the image ref names and the canonical name it matched.
func (ix *index) byName(ref name.Reference) (*Image, string) {
	n := reference.Canonical(ref)
	for _, img := range ix.Images {
		list := img.Names
		if _, ok := ref.(name.Digest); ok {
			list = img.Digests
		}
		if slices.Contains(list, n) {
			return img, n
		}
	}
	return nil, ""
}

// LookupID finds the image id names: a full ID, a unique prefix of one, or
// either with "sha256:" before it.
func (s *Store) LookupID(id string) (*Image, error) {
	ix, err := s.readIndex()
	if err != nil {
		return nil, err
	}
	img, err := ix.byIDPrefix(id)
	if err != nil {
		return nil, err
	}
	out := *img
	return &out, nil
}

// lookup resolves an IMAGE argument in Docker's order: a name that exists,
// then a full ID, then a unique ID prefix. byName is the canonical name it
// matched, or "" when arg matched by ID.
func (ix *index) lookup(arg string) (img *Image, byName string, err error) {
	r, perr := reference.Parse(arg)
	if perr == nil {
		if img, n := ix.byName(r); img != nil {
			return img, n, nil
		}
	}
	img, err = ix.byIDPrefix(arg)
	if errors.Is(err, ErrImageUnknown) && perr == nil {
		err = fmt.Errorf("%w: %s", ErrImageUnknown, reference.Familiar(r))
	}
	return img, "", err
}

// byIDPrefix finds the image a full ID or a unique prefix names, with or
// without "sha256:".
func (ix *index) byIDPrefix(arg string) (*Image, error) {
	id := strings.TrimPrefix(arg, "sha256:")
	if hexPrefix.MatchString(id) {
		var found []*Image
		for _, img := range ix.Images {
			if img.ID.Hex == id {
				return img, nil
			}
			if strings.HasPrefix(img.ID.Hex, id) {
				found = append(found, img)
			}
		}
		switch len(found) {
		case 1:
			return found[0], nil
		case 0:
		default:
			return nil, fmt.Errorf("%w: %s matches %d images (hint: give more of the ID)", ErrAmbiguous, arg, len(found))
		}
	}
	return nil, fmt.Errorf("%w: %s", ErrImageUnknown, arg)
}
