package testimages

import (
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// IndexPlatforms are the platforms of Index, in its manifest order.
var IndexPlatforms = []v1.Platform{
	{OS: "linux", Architecture: "amd64"},
	{OS: "linux", Architecture: "arm64"},
	{OS: "linux", Architecture: "arm", Variant: "v7"},
}

// PlatformString is "os/arch[/variant]", the content of /platform.
func PlatformString(p v1.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// Index is the "multiarch" image: an OCI index of IndexPlatforms, each
// image holding /platform with its platform string and a newline. The
// host's platform is built over busybox (so it can run `cat /platform`);
// the others hold only /platform.
func Index() (v1.ImageIndex, error) { return index() }

var index = sync.OnceValues(func() (v1.ImageIndex, error) {
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	host := Host()
	for _, p := range IndexPlatforms {
		img, err := PlatformImage(p, p.Equals(host))
		if err != nil {
			return nil, err
		}
		p := p
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add: img, Descriptor: v1.Descriptor{Platform: &p},
		})
	}
	return idx, nil
})

// PlatformImage is one image of Index, over busybox when withBusybox.
func PlatformImage(p v1.Platform, withBusybox bool) (v1.Image, error) {
	var ls []v1.Layer
	cfg := v1.Config{Cmd: []string{"/bin/cat", "/platform"}}
	if withBusybox {
		es, err := BusyboxEntries()
		if err != nil {
			return nil, err
		}
		l, err := OCILayer(es...)
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		cfg.Env = []string{"PATH=" + busyboxPath}
	}
	l, err := OCILayer(File("platform", PlatformString(p)+"\n", 0o644))
	if err != nil {
		return nil, err
	}
	return build(p, cfg, true, append(ls, l)...)
}
