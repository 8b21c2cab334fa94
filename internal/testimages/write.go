package testimages

import (
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// WriteDockerArchive writes images as one `docker save` tarball; refs are
// Docker references such as "hello-world:latest" (normalized to
// index.docker.io/library/hello-world:latest in the archive's RepoTags as
// docker save writes them).
func WriteDockerArchive(path string, refs map[string]v1.Image) error {
	m := map[name.Reference]v1.Image{}
	for r, img := range refs {
		ref, err := name.ParseReference(r)
		if err != nil {
			return fmt.Errorf("parse reference %q: %w", r, err)
		}
		m[ref] = img
	}
	return tarball.MultiRefWriteToFile(path, m)
}

// Annotations naming an image in an OCI layout's index.json: the tag alone
// (OCI) and the full name (containerd, and Docker 25+'s docker save).
const (
	RefNameAnnotation        = "org.opencontainers.image.ref.name"
	ContainerdNameAnnotation = "io.containerd.image.name"
)

// layoutAnnotations names ref (e.g. "ocibox:v1") as docker save does.
func layoutAnnotations(ref string) ([]layout.Option, error) {
	if ref == "" {
		return nil, nil
	}
	r, err := name.NewTag(ref)
	if err != nil {
		return nil, fmt.Errorf("parse reference %q: %w", ref, err)
	}
	full := r.Context().RegistryStr() + "/" + r.RepositoryStr() + ":" + r.TagStr()
	if r.RegistryStr() == name.DefaultRegistry {
		full = "docker.io/" + r.RepositoryStr() + ":" + r.TagStr()
	}
	return []layout.Option{layout.WithAnnotations(map[string]string{
		RefNameAnnotation: r.TagStr(), ContainerdNameAnnotation: full,
	})}, nil
}

// WriteOCILayout writes img as an OCI image layout directory at dir, named
// ref ("ocibox:v1") in index.json unless ref is empty.
func WriteOCILayout(dir string, img v1.Image, ref string) error {
	opts, err := layoutAnnotations(ref)
	if err != nil {
		return err
	}
	p, err := layout.Write(dir, mutate.IndexMediaType(empty.Index, types.OCIImageIndex))
	if err != nil {
		return err
	}
	return p.AppendImage(img, opts...)
}

// WriteOCILayoutIndex writes idx as an OCI layout directory whose
// index.json points at idx (a nested index), named like WriteOCILayout.
func WriteOCILayoutIndex(dir string, idx v1.ImageIndex, ref string) error {
	opts, err := layoutAnnotations(ref)
	if err != nil {
		return err
	}
	p, err := layout.Write(dir, mutate.IndexMediaType(empty.Index, types.OCIImageIndex))
	if err != nil {
		return err
	}
	return p.AppendIndex(idx, opts...)
}
