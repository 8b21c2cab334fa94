package run

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"pocket/fs"
	"pocket/store"
)

// ImportOptions are `pocket import`'s flags, parsed.
type ImportOptions struct {
	Source  string // a file, an http(s) URL, or "-" for stdin
	Comment string // -m; Docker's default names the source
	Changes []Change
	Ref     name.Reference // REPO[:TAG], or nil
}

// Import makes a one-layer image of a root filesystem tarball (plain,
// gzip or zstd), as `docker import`, and returns its ID. The tar is
// hostile: it is unpacked by fs.Unpack like any pulled layer.
func Import(ctx context.Context, s *store.Store, o ImportOptions) (v1.Hash, error) {
	id, err := importImage(ctx, s, o)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("import %s: %w", o.Source, err)
	}
	return id, nil
}

func importImage(ctx context.Context, s *store.Store, o ImportOptions) (v1.Hash, error) {
	src, err := openSource(ctx, o.Source)
	if err != nil {
		return v1.Hash{}, err
	}
	defer src.Close()
	tarStream, err := fs.Decompress(src)
	if err != nil {
		return v1.Hash{}, err
	}
	defer tarStream.Close()
	// The diffID must be known before the store takes the layer: the
	// tar is spooled to a temporary file while it is hashed.
	spool, err := os.CreateTemp("", "pocket-import-*.tar")
	if err != nil {
		return v1.Hash{}, err
	}
	defer os.Remove(spool.Name())
	defer spool.Close()
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(spool, h), tarStream); err != nil {
		return v1.Hash{}, err
	}
	diffID := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}

	release, err := s.Hold()
	if err != nil {
		return v1.Hash{}, err
	}
	defer release()
	err = s.PutLayer(diffID, unpackTar(spool))
	if err != nil {
		return v1.Hash{}, err
	}

	created := time.Now().UTC()
	comment := o.Comment
	if comment == "" {
		comment = "Imported from " + o.Source
	}
	cfg := &v1.ConfigFile{
		Architecture: runtime.GOARCH, OS: runtime.GOOS, Created: v1.Time{Time: created},
		RootFS:  v1.RootFS{Type: "layers", DiffIDs: []v1.Hash{diffID}},
		History: []v1.History{{Created: v1.Time{Time: created}, Comment: comment}},
	}
	if err := applyChanges(&cfg.Config, o.Changes); err != nil {
		return v1.Hash{}, err
	}
	raw, err := json.Marshal(struct {
		*v1.ConfigFile
		Comment string `json:"comment,omitempty"`
	}{cfg, comment})
	if err != nil {
		return v1.Hash{}, err
	}
	if _, err := s.AddImage(nil, raw, o.Ref); err != nil {
		return v1.Hash{}, err
	}
	sum := sha256.Sum256(raw)
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}, nil
}

// openSource opens stdin ("-"), an http(s) URL or a file.
func openSource(ctx context.Context, src string) (io.ReadCloser, error) {
	switch {
	case src == "-":
		return io.NopCloser(os.Stdin), nil
	case strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://"):
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
		if err != nil {
			return nil, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, fmt.Errorf("GET %s: %s", src, resp.Status)
		}
		return resp.Body, nil
	}
	return os.Open(src)
}
