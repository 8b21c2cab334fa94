package pull

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/term"

	"pocket/reference"
	"pocket/store"
)

// Save writes images as one `docker save` archive in Docker 25's layout:
// manifest.json for docker load, and index.json, oci-layout and blobs/ so
// the same file is an OCI archive. Layers are written as their original
// uncompressed tars. A repository name without a tag saves every tag of
// it, as Docker does.
func Save(ctx context.Context, s *store.Store, refs []string, w io.Writer) error {
	release, err := s.Hold()
	if err != nil {
		return err
	}
	defer release()
	var order []v1.Hash
	entries := map[v1.Hash]*saveEntry{}
	for _, r := range refs {
		targets, err := saveTargets(s, r)
		if err != nil {
			return err
		}
		for _, t := range targets {
			e, ok := entries[t.img.ID]
			if !ok {
				e = &saveEntry{img: t.img}
				entries[t.img.ID] = e
				order = append(order, t.img.ID)
			}
			if t.name != "" && !slices.Contains(e.names, t.name) {
				e.names = append(e.names, t.name)
			}
		}
	}
	list := make([]*saveEntry, 0, len(order))
	for _, id := range order {
		list = append(list, entries[id])
	}
	return writeArchive(ctx, s, list, w)
}

// saveEntry is one image to save and the canonical names it is saved as.
type saveEntry struct {
	img   *store.Image
	names []string
}

type saveTarget struct {
	img  *store.Image
	name string // canonical repo:tag, or "" for an ID or digest reference
}

// saveTargets resolves one argument of `save`: a tag, every tag of a bare
// repository name, or an ID or digest (saved untagged).
func saveTargets(s *store.Store, arg string) ([]saveTarget, error) {
	img, err := s.FindImage(arg)
	if err != nil {
		return nil, err
	}
	if strings.Contains(arg, "@") || strings.HasPrefix(img.ID.Hex, strings.TrimPrefix(arg, "sha256:")) {
		return []saveTarget{{img: img}}, nil
	}
	ref, err := reference.Parse(arg)
	if err != nil {
		return nil, err
	}
	if explicitTag(arg) {
		return []saveTarget{{img: img, name: reference.Canonical(ref)}}, nil
	}
	all, err := s.Images()
	if err != nil {
		return nil, err
	}
	prefix := reference.CanonicalRepo(ref.Context()) + ":"
	var out []saveTarget
	for i := range all {
		for _, n := range all[i].Names {
			if strings.HasPrefix(n, prefix) {
				out = append(out, saveTarget{img: &all[i], name: n})
			}
		}
	}
	if len(out) == 0 {
		return []saveTarget{{img: img}}, nil
	}
	return out, nil
}

// explicitTag reports whether a reference string carries its own tag.
func explicitTag(s string) bool {
	i := strings.LastIndex(s, ":")
	return i > strings.LastIndex(s, "/")
}

// SaveFile is Save to a file (written to a temporary name and renamed
// when complete) or to stdout when path is empty.
func SaveFile(ctx context.Context, s *store.Store, refs []string, path string) error {
	if path == "" {
		if term.IsTerminal(int(os.Stdout.Fd())) {
			return ErrTerminal
		}
		return Save(ctx, s, refs, os.Stdout)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("save to %s: %w", path, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := Save(ctx, s, refs, tmp); err != nil {
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("save to %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save to %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save to %s: %w", path, err)
	}
	done = true
	return nil
}

// ctxWriter stops a long write when the context is cancelled (Ctrl-C).
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c *ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
