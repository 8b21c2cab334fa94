package pull

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	pfs "pocket/fs"
	"pocket/reference"
	"pocket/store"
)

// Load reads a `docker save` archive, an OCI archive (tar of a layout) or an
// OCI layout directory, stores every image in it, and returns the names
// Docker prints after "Loaded image: " ("hello:latest"); an untagged image
// is returned as its ID, "sha256:...", which Docker prints after
// "Loaded image ID: ". A gzip or zstd compressed archive is accepted, as
// Docker does.
func Load(ctx context.Context, s *store.Store, path string, o Options) ([]string, error) {
	what := path
	if what == "" {
		what = "stdin"
	}
	release, err := s.Hold()
	if err != nil {
		return nil, err
	}
	defer release()

	b, cleanup, err := openArchive(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", what, err)
	}
	defer cleanup()
	// Docker's load shows bars on a terminal and nothing else otherwise.
	var prog progress = quietProgress{}
	if p, ok := newProgress(o.Out, o.Quiet).(*barProgress); ok {
		prog = p
		defer p.wait()
	}
	var names []string
	switch {
	case b.has("manifest.json"):
		names, err = loadDocker(ctx, s, b, prog)
	case b.has("index.json"):
		names, err = loadOCI(ctx, s, b, o.Platform, prog)
	default:
		err = fmt.Errorf("%w: no manifest.json or index.json (hint: use a `docker save` tar, an OCI archive or an OCI layout directory)", ErrBadArchive)
	}
	if err != nil {
		return names, fmt.Errorf("load %s: %w", what, err)
	}
	return names, nil
}

// openArchive indexes a tar (spooling stdin, a pipe or a compressed archive
// to a temporary file first) or opens a layout directory.
func openArchive(path string) (blobs, func(), error) {
	var in *os.File
	seekable := false // only a regular file can be indexed where it is
	if path == "" {
		in = os.Stdin
	} else {
		fi, err := os.Stat(path)
		if err != nil {
			return nil, nil, err
		}
		if fi.IsDir() {
			root, err := os.OpenRoot(path)
			if err != nil {
				return nil, nil, err
			}
			return dirBlobs{root: root}, func() { root.Close() }, nil
		}
		if in, err = os.Open(path); err != nil {
			return nil, nil, err
		}
		seekable = fi.Mode().IsRegular()
	}
	br := bufio.NewReader(in)
	head, _ := br.Peek(4)
	compressed := len(head) >= 2 && (head[0] == 0x1f && head[1] == 0x8b) ||
		len(head) == 4 && string(head) == "\x28\xb5\x2f\xfd"
	f := in
	if !seekable || compressed {
		tmp, err := os.CreateTemp("", "pocket-load-*.tar")
		if err != nil {
			return nil, nil, err
		}
		os.Remove(tmp.Name()) // unlinked: nothing is left behind, whatever happens
		var src io.Reader = br
		if compressed {
			dr, err := pfs.Decompress(br)
			if err != nil {
				tmp.Close()
				return nil, nil, err
			}
			defer dr.Close()
			src = dr
		}
		if _, err := io.Copy(tmp, src); err != nil {
			tmp.Close()
			return nil, nil, err
		}
		if in != os.Stdin {
			in.Close()
		}
		f = tmp
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, nil, err
	}
	t, err := indexTar(f)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return t, func() { f.Close() }, nil
}

// dockerEntry is one image of a docker-save manifest.json.
type dockerEntry struct {
	Config   string
	RepoTags []string
	Layers   []string
}

func loadDocker(ctx context.Context, s *store.Store, b blobs, prog progress) ([]string, error) {
	raw, err := readMeta(b, "manifest.json")
	if err != nil {
		return nil, err
	}
	var entries []dockerEntry
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, fmt.Errorf("%w: manifest.json: %v", ErrBadArchive, err)
	}
	var names []string
	for _, e := range entries {
		got, err := loadDockerEntry(ctx, s, b, e, prog)
		names = append(names, got...)
		if err != nil {
			return names, err
		}
	}
	return names, nil
}

// loadDockerEntry stores one image of a docker-save archive.
func loadDockerEntry(ctx context.Context, s *store.Store, b blobs, e dockerEntry, prog progress) ([]string, error) {
	cfgRaw, err := readMeta(b, e.Config)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", e.Config, err)
	}
	cfg, err := v1.ParseConfigFile(strings.NewReader(string(cfgRaw)))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", e.Config, err)
	}
	if len(cfg.RootFS.DiffIDs) != len(e.Layers) {
		return nil, fmt.Errorf("%w: %s lists %d layers but its config has %d", ErrBadArchive, e.Config, len(e.Layers), len(cfg.RootFS.DiffIDs))
	}
	jobs := make([]layerJob, len(e.Layers))
	for i, l := range e.Layers {
		jobs[i] = layerJob{diffID: cfg.RootFS.DiffIDs[i], open: opener(b, l)}
		// Docker 25+ names layers by digest: blobs/sha256/<hex>.
		if d, err := v1.NewHash(strings.Replace(strings.TrimPrefix(l, "blobs/"), "/", ":", 1)); err == nil {
			jobs[i].digest = d
		}
	}
	if _, err := ingestLayers(ctx, s, jobs, prog); err != nil {
		return nil, err
	}
	man, err := manifestFor(b, e, cfgRaw, jobs)
	if err != nil {
		return nil, err
	}
	var tags []name.Reference
	for _, t := range e.RepoTags {
		r, err := reference.Parse(t)
		if err != nil {
			return nil, fmt.Errorf("%w: tag %q: %v", ErrBadArchive, t, err)
		}
		tags = append(tags, r)
	}
	return addImage(s, man, cfgRaw, tags)
}

// manifestFor writes the OCI manifest of a docker-save image, which the
// archive itself does not carry: layer blobs as they are in the archive.
func manifestFor(b blobs, e dockerEntry, cfgRaw []byte, jobs []layerJob) ([]byte, error) {
	sum := sha256.Sum256(cfgRaw)
	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		Config: v1.Descriptor{MediaType: types.OCIConfigJSON, Size: int64(len(cfgRaw)),
			Digest: v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}},
	}
	for i, l := range e.Layers {
		comp, err := compression(b, l)
		if err != nil {
			return nil, err
		}
		rc, size, err := b.open(l)
		if err != nil {
			return nil, err
		}
		d := jobs[i].digest
		if d.Hex == "" && comp == "" {
			d = jobs[i].diffID
		} else if d.Hex == "" {
			h := sha256.New()
			if _, err := io.Copy(h, rc); err != nil {
				rc.Close()
				return nil, err
			}
			d = v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}
		}
		rc.Close()
		mt := types.OCIUncompressedLayer
		switch comp {
		case "gzip":
			mt = types.OCILayer
		case "zstd":
			mt = types.OCILayerZStd
		}
		m.Layers = append(m.Layers, v1.Descriptor{MediaType: mt, Size: size, Digest: d})
	}
	return json.Marshal(m)
}

// addImage records an image under each of its tags (or untagged) and
// returns the names Docker prints for it.
func addImage(s *store.Store, man, cfg []byte, tags []name.Reference) ([]string, error) {
	if len(tags) == 0 {
		img, err := s.AddImage(man, cfg)
		if err != nil {
			return nil, err
		}
		return []string{img.ID.String()}, nil
	}
	var names []string
	for _, t := range tags {
		if _, err := s.AddImage(man, cfg, t); err != nil {
			return names, err
		}
		names = append(names, reference.Familiar(t))
	}
	return names, nil
}

func opener(b blobs, name string) func(context.Context) (io.ReadCloser, error) {
	return func(context.Context) (io.ReadCloser, error) {
		rc, _, err := b.open(name)
		return rc, err
	}
}
