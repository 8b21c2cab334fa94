package pull

// This file is the pull package's contract; bodies are filled in by the
// implementation.

import (
	"context"
	"errors"
	"io"

	"pocket/store"
)

var errTODO = errors.New("not implemented yet")

// Registries is how references reach registries (global flags).
type Registries struct {
	// Mirrors apply to docker.io references only, tried in order before
	// Docker Hub itself, like dockerd's registry-mirrors. An http:// mirror
	// is plain HTTP.
	Mirrors []string
	// Insecure hosts (HOST[:PORT]) are reached over plain HTTP.
	Insecure []string
}

// Options tune one pull.
type Options struct {
	Registries
	Platform string    // os/arch[/variant]; empty for the host's
	Quiet    bool      // -q: print nothing but the final reference
	Out      io.Writer // progress; a terminal gets live per-layer lines
}

// Pull fetches ref into s (doing nothing but re-tagging when every layer is
// present) and returns the stored image.
func Pull(ctx context.Context, s *store.Store, ref string, o Options) (*store.Image, error) {
	return nil, errTODO
}

// Save writes images as one `docker save` archive (with OCI index and
// layout files too, as Docker 25+ does).
func Save(ctx context.Context, s *store.Store, refs []string, w io.Writer) error {
	return errTODO
}

// Load reads a `docker save` archive, an OCI archive (tar of a layout) or an
// OCI layout directory, stores every image in it, and returns the names
// ("Loaded image: ..." lines) Docker would print.
func Load(ctx context.Context, s *store.Store, path string, o Options) ([]string, error) {
	return nil, errTODO
}

// SaveFile is Save to a file (written to a temporary name and renamed
// when complete) or to stdout when path is empty.
func SaveFile(ctx context.Context, s *store.Store, refs []string, path string) error {
	return errTODO
}

// Inspect returns Docker-shaped inspect data for an image.
func Inspect(s *store.Store, ref string) (any, error) { return nil, errTODO }
