package pull

import (
	"fmt"
	"runtime"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// wantPlatform parses --platform, defaulting to the host's.
func wantPlatform(s string) (v1.Platform, error) {
	if s == "" {
		p := v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
		if p.Architecture == "arm" {
			p.Variant = "v7"
		}
		return p, nil
	}
	p, err := v1.ParsePlatform(s)
	if err != nil || p.OS == "" || p.Architecture == "" {
		return v1.Platform{}, fmt.Errorf("invalid platform %q (hint: use os/arch[/variant], e.g. linux/arm64)", s)
	}
	return *p, nil
}

// matches reports whether an index entry's platform serves want. An empty
// variant in want takes any; arm64's "v8" is its default variant.
func matches(have *v1.Platform, want v1.Platform) bool {
	if have == nil || have.OS != want.OS || have.Architecture != want.Architecture {
		return false
	}
	if want.Variant == "" {
		return true
	}
	hv, wv := have.Variant, want.Variant
	if want.Architecture == "arm64" {
		hv, wv = strings.TrimPrefix(hv, "v8"), strings.TrimPrefix(wv, "v8")
	}
	return hv == wv
}

func platformString(p v1.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}
