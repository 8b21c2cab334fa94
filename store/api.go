package store

// This file is the store's contract with pull and run. Bodies are filled in
// by the store implementation; signatures change only by agreement.

import (
	"errors"
	"io"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

var errTODO = errors.New("not implemented yet")

// Store is one pocket root directory.
type Store struct {
	root string
}

// Open prepares root (creating its layout) and removes stale temporaries
// that no live process holds.
func Open(root string) (*Store, error) { return &Store{root: root}, errTODO }

// Root is the store's directory.
func (s *Store) Root() string { return s.root }

// Hold takes the shared "in use" lock: pulls and container creation hold it
// so that image removal and pruning (which take it exclusively) never delete
// a layer that is about to be referenced.
func (s *Store) Hold() (release func(), err error) { return func() {}, errTODO }

// PutBlob stores a manifest or config and returns its sha256 digest.
func (s *Store) PutBlob(data []byte) (v1.Hash, error) { return v1.Hash{}, errTODO }

// Blob reads a stored blob, verifying its digest.
func (s *Store) Blob(d v1.Hash) ([]byte, error) { return nil, errTODO }

// HasLayer reports whether the layer with this diffID is unpacked.
func (s *Store) HasLayer(diffID v1.Hash) bool { return false }

// LayerDir is the unpacked tree of a layer, usable as an overlay lowerdir.
func (s *Store) LayerDir(diffID v1.Hash) string { return "" }

// PutLayer unpacks a layer once. Under a per-layer file lock, if the layer is
// absent, fill is called with an empty directory to unpack into and a writer
// for tar-split metadata; fill returns the diffID it computed while reading the
// whole stream. The tree is renamed into place only when that matches diffID.
// A concurrent PutLayer of the same diffID waits and then finds it present.
func (s *Store) PutLayer(diffID v1.Hash, fill func(dir string, meta io.Writer) (v1.Hash, error)) error {
	return errTODO
}

// LayerTar rebuilds the layer's original uncompressed tar, byte for byte.
func (s *Store) LayerTar(diffID v1.Hash) (io.ReadCloser, error) { return nil, errTODO }

// Image is one entry of the image index.
type Image struct {
	ID       v1.Hash   `json:"id"`       // config digest, Docker's image ID
	Manifest v1.Hash   `json:"manifest"` // digest of the stored manifest
	Names    []string  `json:"names"`    // canonical repo:tag, e.g. docker.io/library/alpine:3.20
	Digests  []string  `json:"digests"`  // canonical repo@sha256:... as pulled
	Layers   []v1.Hash `json:"layers"`   // diffIDs, base first
	Created  time.Time `json:"created"`  // from the config
	Size     int64     `json:"size"`     // unpacked bytes of all layers
	Added    time.Time `json:"added"`    // when it entered the store
}

// AddImage records an image whose layers are all present. The manifest and
// config are stored as blobs; tag (if not nil) moves to this image from any
// other; repoDigest (if not empty) is added to Digests.
func (s *Store) AddImage(manifest, config []byte, tag name.Reference, repoDigest string) (*Image, error) {
	return nil, errTODO
}

// Images lists the index, newest first.
func (s *Store) Images() ([]Image, error) { return nil, errTODO }

// LookupImage finds an image as Docker does: by name[:tag] (normalized),
// name@digest, full or prefixed image ID, or sha256:ID.
func (s *Store) LookupImage(ref string) (*Image, error) { return nil, errTODO }

// Config reads and parses an image's config.
func (s *Store) Config(img *Image) (*v1.ConfigFile, error) { return nil, errTODO }

// V1Image is the stored image as a go-containerregistry image (for save).
func (s *Store) V1Image(img *Image) (v1.Image, error) { return nil, errTODO }

// Tag points dst (a repo:tag) at the image src names.
func (s *Store) Tag(src, dst string) error { return errTODO }

// RemoveImage untags ref, or deletes the image when ref is its ID or its last
// name. Refused with ErrImageInUse while a container uses it unless force.
// It returns Docker's "Untagged:" and "Deleted:" lines.
func (s *Store) RemoveImage(ref string, force bool) (untagged, deleted []string, err error) {
	return nil, nil, errTODO
}

// PruneImages removes dangling images (all unused ones with all) and then
// unreferenced layers and blobs; it returns the deleted IDs and bytes freed.
func (s *Store) PruneImages(all bool) (deleted []string, reclaimed int64, err error) {
	return nil, 0, errTODO
}

// Container is the store's record of a container: what it needs for naming
// and to keep images, layers and volumes alive. run keeps its own files in
// ContainerDir.
type Container struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Image   v1.Hash   `json:"image"`
	Volumes []string  `json:"volumes,omitempty"`
	Created time.Time `json:"created"`
}

// CreateContainer reserves c.Name (ErrNameInUse if taken) and makes its
// directory. Callers hold Hold() while creating.
func (s *Store) CreateContainer(c *Container) error { return errTODO }

// ContainerDir is where run keeps a container's files.
func (s *Store) ContainerDir(id string) string { return "" }

// Containers lists all container records, newest first.
func (s *Store) Containers() ([]Container, error) { return nil, errTODO }

// LookupContainer finds a container by full ID, unique ID prefix or name.
func (s *Store) LookupContainer(idOrName string) (*Container, error) { return nil, errTODO }

// RemoveContainer deletes the record and its directory.
func (s *Store) RemoveContainer(id string) error { return errTODO }

// Lock takes an exclusive flock on locks/<name> (blocking).
func (s *Store) Lock(name string) (unlock func(), err error) { return func() {}, errTODO }

// TryLock is Lock without waiting; ok is false when another process holds it.
func (s *Store) TryLock(name string) (unlock func(), ok bool, err error) {
	return func() {}, false, errTODO
}

// ParseReference parses an image reference with Docker's rules: "alpine"
// is docker.io/library/alpine:latest, "user/app" is docker.io/user/app:latest,
// a first component with a dot, a colon or "localhost" is a registry.
// Errors wrap ErrBadReference.
func ParseReference(s string) (name.Reference, error) { return nil, errTODO }

// FamiliarName is Docker's short display form of a canonical repository
// name: docker.io/library/alpine is "alpine", docker.io/user/app is
// "user/app", anything else is unchanged.
func FamiliarName(repo string) string { return repo }
