package testimages

import (
	"fmt"
	"runtime"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Host is the platform test images are built for by default: linux and the
// architecture this test binary runs on.
func Host() v1.Platform {
	p := v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
	if runtime.GOARCH == "arm" {
		p.Variant = "v7"
	}
	return p
}

// build makes an image of layers (base first) with config cfg for platform
// p. oci selects OCI media types instead of Docker's schema 2.
func build(p v1.Platform, cfg v1.Config, oci bool, layers ...v1.Layer) (v1.Image, error) {
	base := empty.Image
	if oci {
		base = mutate.MediaType(base, types.OCIManifestSchema1)
		base = mutate.ConfigMediaType(base, types.OCIConfigJSON)
	}
	img, err := mutate.ConfigFile(base, &v1.ConfigFile{
		Architecture: p.Architecture, OS: p.OS, Variant: p.Variant,
		Created: v1.Time{Time: Epoch}, Config: cfg,
		RootFS: v1.RootFS{Type: "layers"},
	})
	if err != nil {
		return nil, err
	}
	return appendLayers(img, layers...)
}

// appendLayers adds layers with a history entry each, as a build would.
func appendLayers(img v1.Image, layers ...v1.Layer) (v1.Image, error) {
	adds := make([]mutate.Addendum, len(layers))
	for i, l := range layers {
		adds[i] = mutate.Addendum{Layer: l, History: v1.History{
			Created: v1.Time{Time: Epoch}, CreatedBy: fmt.Sprintf("pocket testdata layer %d", i),
		}}
	}
	return mutate.Append(img, adds...)
}

// withConfig replaces the runtime config (Cmd, Env, ...) of img.
func withConfig(img v1.Image, cfg v1.Config) (v1.Image, error) {
	return mutate.Config(img, cfg)
}
