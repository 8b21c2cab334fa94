package pull

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"golang.org/x/term"

	"pocket/store"
)

// Save writes images as one `docker save` archive (manifest.json, the
// configs and the uncompressed layers, as Docker before 25 wrote it).
// A repository name without a tag saves every tag of it, as Docker does.
func Save(ctx context.Context, s *store.Store, refs []string, w io.Writer) error {
	release, err := s.Hold()
	if err != nil {
		return err
	}
	defer release()
	byID := map[v1.Hash]v1.Image{} // one v1.Image per image: the writer dedups by identity
	refToImage := map[name.Reference]v1.Image{}
	add := func(img *store.Image, ref name.Reference) error {
		vi, ok := byID[img.ID]
		if !ok {
			var err error
			if vi, err = s.V1Image(img); err != nil {
				return fmt.Errorf("save %s: %w", img.ID, err)
			}
			byID[img.ID] = vi
		}
		refToImage[ref] = vi
		return nil
	}
	for _, r := range refs {
		imgs, ref, err := saveTargets(s, r)
		if err != nil {
			return err
		}
		for i, img := range imgs {
			if err := add(img, ref[i]); err != nil {
				return err
			}
		}
	}
	return tarball.MultiRefWrite(refToImage, &ctxWriter{ctx: ctx, w: w})
}

// saveTargets resolves one argument of `save` to images and the names they
// are written under: a tag, every tag of a bare repository name, or no tag
// (an ID or a digest).
func saveTargets(s *store.Store, arg string) ([]*store.Image, []name.Reference, error) {
	img, err := s.LookupImage(arg)
	if err != nil {
		return nil, nil, err
	}
	untagged, _ := name.NewDigest("pocket.invalid/untagged@" + img.ID.String())
	if strings.Contains(arg, "@") || strings.HasPrefix(img.ID.Hex, strings.TrimPrefix(arg, "sha256:")) {
		return []*store.Image{img}, []name.Reference{untagged}, nil
	}
	ref, err := store.ParseReference(arg)
	if err != nil {
		return nil, nil, err
	}
	if explicitTag(arg) {
		t, err := name.NewTag(familiar(ref))
		return []*store.Image{img}, []name.Reference{t}, err
	}
	all, err := s.Images()
	if err != nil {
		return nil, nil, err
	}
	prefix := canonicalRepo(ref.Context()) + ":"
	var imgs []*store.Image
	var refs []name.Reference
	for i := range all {
		for _, n := range all[i].Names {
			if tag, ok := strings.CutPrefix(n, prefix); ok {
				t, err := name.NewTag(familiarRepo(ref.Context()) + ":" + tag)
				if err != nil {
					return nil, nil, err
				}
				imgs, refs = append(imgs, &all[i]), append(refs, t)
			}
		}
	}
	if len(imgs) == 0 {
		return []*store.Image{img}, []name.Reference{untagged}, nil
	}
	return imgs, refs, nil
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
