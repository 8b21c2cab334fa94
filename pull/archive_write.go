package pull

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"pocket/reference"
	"pocket/store"
)

// dockerManifestEntry is one image in manifest.json.
type dockerManifestEntry struct {
	Config   string   `json:"Config"`
	RepoTags []string `json:"RepoTags"`
	Layers   []string `json:"Layers"`
}

// archiveWriter writes a tar with each blob once.
type archiveWriter struct {
	tw      *tar.Writer
	written map[v1.Hash]bool
}

// writeArchive writes entries as Docker 25 does: blobs/sha256/* for every
// config, layer tar and (OCI) manifest, then index.json, manifest.json,
// oci-layout and, when an image has a tag, repositories.
func writeArchive(ctx context.Context, s *store.Store, entries []*saveEntry, w io.Writer) error {
	a := &archiveWriter{tw: tar.NewWriter(&ctxWriter{ctx: ctx, w: w}), written: map[v1.Hash]bool{}}
	for _, dir := range []string{"blobs/", "blobs/sha256/"} {
		if err := a.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir, Mode: 0o755, ModTime: time.Unix(0, 0)}); err != nil {
			return err
		}
	}
	index := v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex}
	var manifest []dockerManifestEntry
	// repositories is Docker's legacy REPOSITORY -> TAG -> top layer file,
	// which docker save still writes and older tools read.
	repositories := map[string]map[string]string{}
	for _, e := range entries {
		desc, entry, err := a.image(s, e.img)
		if err != nil {
			return fmt.Errorf("save %s: %w", e.img.ID, err)
		}
		for _, n := range e.names {
			d := desc
			i := strings.LastIndex(n, ":")
			d.Annotations = map[string]string{annotationContainerd: n, annotationRefName: n[i+1:]}
			index.Manifests = append(index.Manifests, d)
			entry.RepoTags = append(entry.RepoTags, reference.FamiliarString(n))
			if len(e.img.Layers) > 0 {
				repo := reference.FamiliarName(n[:i])
				if repositories[repo] == nil {
					repositories[repo] = map[string]string{}
				}
				repositories[repo][n[i+1:]] = e.img.Layers[len(e.img.Layers)-1].Hex
			}
		}
		if len(e.names) == 0 {
			index.Manifests = append(index.Manifests, desc)
		}
		manifest = append(manifest, entry)
	}
	for _, f := range []struct {
		name string
		v    any
	}{
		{"index.json", index},
		{"manifest.json", manifest},
		{"oci-layout", map[string]string{"imageLayoutVersion": "1.0.0"}},
		{"repositories", repositories},
	} {
		if f.name == "repositories" && len(repositories) == 0 {
			continue // as docker save of untagged images
		}
		b, err := json.Marshal(f.v)
		if err != nil {
			return err
		}
		if err := a.file(f.name, int64(len(b)), bytes.NewReader(b)); err != nil {
			return err
		}
	}
	return a.tw.Close()
}

// image writes one image's blobs and returns its manifest's descriptor and
// its manifest.json entry (without tags).
func (a *archiveWriter) image(s *store.Store, img *store.Image) (v1.Descriptor, dockerManifestEntry, error) {
	var entry dockerManifestEntry
	cfg, err := s.Blob(img.ID)
	if err != nil {
		return v1.Descriptor{}, entry, err
	}
	if err := a.blob(img.ID, int64(len(cfg)), func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(cfg)), nil }); err != nil {
		return v1.Descriptor{}, entry, err
	}
	entry.Config = blobPath(img.ID)
	m := v1.Manifest{SchemaVersion: 2, MediaType: types.OCIManifestSchema1,
		Config: v1.Descriptor{MediaType: types.OCIConfigJSON, Size: int64(len(cfg)), Digest: img.ID}}
	for _, d := range img.Layers {
		size, err := layerSize(s, d)
		if err != nil {
			return v1.Descriptor{}, entry, err
		}
		if err := a.blob(d, size, func() (io.ReadCloser, error) { return s.LayerTar(d) }); err != nil {
			return v1.Descriptor{}, entry, err
		}
		m.Layers = append(m.Layers, v1.Descriptor{MediaType: types.OCIUncompressedLayer, Size: size, Digest: d})
		entry.Layers = append(entry.Layers, blobPath(d))
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return v1.Descriptor{}, entry, err
	}
	md, _, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		return v1.Descriptor{}, entry, err
	}
	if err := a.blob(md, int64(len(raw)), func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }); err != nil {
		return v1.Descriptor{}, entry, err
	}
	return v1.Descriptor{MediaType: types.OCIManifestSchema1, Size: int64(len(raw)), Digest: md}, entry, nil
}

// layerSize reassembles a layer's tar once to learn its length, which its
// tar header needs before the bytes.
func layerSize(s *store.Store, d v1.Hash) (int64, error) {
	rc, err := s.LayerTar(d)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	n, err := io.Copy(io.Discard, rc)
	if err != nil {
		return 0, fmt.Errorf("read layer %s: %w", d, err)
	}
	return n, nil
}

func (a *archiveWriter) blob(d v1.Hash, size int64, open func() (io.ReadCloser, error)) error {
	if a.written[d] {
		return nil
	}
	a.written[d] = true
	rc, err := open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return a.file(blobPath(d), size, rc)
}

func (a *archiveWriter) file(name string, size int64, r io.Reader) error {
	if err := a.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: 0o644, ModTime: time.Unix(0, 0)}); err != nil {
		return err
	}
	if _, err := io.CopyN(a.tw, r, size); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}
