package images

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

// RefNameAnnotation names an image in an OCI layout's index.json.
const RefNameAnnotation = "org.opencontainers.image.ref.name"

// WriteOCILayout writes img as an OCI image layout directory at dir, its
// index.json entry annotated with refName (e.g. "docker.io/library/x:tag" or
// just "tag") unless refName is empty.
func WriteOCILayout(dir string, img v1.Image, refName string) error {
	p, err := layout.Write(dir, mutate.IndexMediaType(empty.Index, types.OCIImageIndex))
	if err != nil {
		return err
	}
	var opts []layout.Option
	if refName != "" {
		opts = append(opts, layout.WithAnnotations(map[string]string{RefNameAnnotation: refName}))
	}
	return p.AppendImage(img, opts...)
}

// WriteOCILayoutIndex writes idx as an OCI layout directory whose
// index.json points at idx (a nested index), annotated like WriteOCILayout.
func WriteOCILayoutIndex(dir string, idx v1.ImageIndex, refName string) error {
	p, err := layout.Write(dir, mutate.IndexMediaType(empty.Index, types.OCIImageIndex))
	if err != nil {
		return err
	}
	var opts []layout.Option
	if refName != "" {
		opts = append(opts, layout.WithAnnotations(map[string]string{RefNameAnnotation: refName}))
	}
	return p.AppendIndex(idx, opts...)
}
