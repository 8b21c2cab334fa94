package pull

import (
	"fmt"
	"net/url"
	"runtime"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// dockerHub is how Docker names Docker Hub in canonical references.
const dockerHub = "docker.io"

// isDockerHub reports whether repo lives on Docker Hub.
func isDockerHub(repo name.Repository) bool {
	switch repo.RegistryStr() {
	case dockerHub, name.DefaultRegistry, "registry-1.docker.io":
		return true
	}
	return false
}

// registryName is the registry as Docker prints it.
func registryName(repo name.Repository) string {
	if isDockerHub(repo) {
		return dockerHub
	}
	return repo.RegistryStr()
}

// canonicalRepo is Docker's fully qualified repository name:
// docker.io/library/alpine, not index.docker.io/library/alpine.
func canonicalRepo(repo name.Repository) string {
	return registryName(repo) + "/" + repo.RepositoryStr()
}

// canonical is the fully qualified reference Docker prints after a pull.
func canonical(ref name.Reference) string {
	if _, ok := ref.(name.Digest); ok {
		return canonicalRepo(ref.Context()) + "@" + ref.Identifier()
	}
	return canonicalRepo(ref.Context()) + ":" + ref.Identifier()
}

// familiar is Docker's short form of ref: alpine:3.20, user/app@sha256:...
func familiar(ref name.Reference) string {
	sep := ":"
	if _, ok := ref.(name.Digest); ok {
		sep = "@"
	}
	return familiarRepo(ref.Context()) + sep + ref.Identifier()
}

func familiarRepo(repo name.Repository) string {
	if isDockerHub(repo) {
		return strings.TrimPrefix(repo.RepositoryStr(), "library/")
	}
	return canonicalRepo(repo)
}

// endpoint is one place to fetch an image from.
type endpoint struct {
	ref    name.Reference // the reference rewritten onto this endpoint
	mirror bool
}

// endpoints lists where to look for ref, in order: for Docker Hub
// references every mirror (repository path kept, "library/" included, as
// dockerd's registry-mirrors) and then Docker Hub itself.
func endpoints(ref name.Reference, r Registries) ([]endpoint, error) {
	repo := ref.Context()
	var eps []endpoint
	if isDockerHub(repo) {
		for _, m := range r.Mirrors {
			host, opts, err := mirrorHost(m)
			if err != nil {
				return nil, err
			}
			mref, err := rewrite(ref, host+"/"+repo.RepositoryStr(), opts...)
			if err != nil {
				return nil, fmt.Errorf("registry mirror %s: %w", m, err)
			}
			eps = append(eps, endpoint{ref: mref, mirror: true})
		}
	}
	var opts []name.Option
	if slices.Contains(r.Insecure, repo.RegistryStr()) || slices.Contains(r.Insecure, registryName(repo)) {
		opts = append(opts, name.Insecure)
	}
	own, err := rewrite(ref, repo.RegistryStr()+"/"+repo.RepositoryStr(), opts...)
	if err != nil {
		return nil, err
	}
	return append(eps, endpoint{ref: own}), nil
}

// mirrorHost parses a --registry-mirror value: "http://host:port" is plain
// HTTP, "https://host" (or a bare host) is TLS.
func mirrorHost(m string) (string, []name.Option, error) {
	if !strings.Contains(m, "://") {
		m = "https://" + m
	}
	u, err := url.Parse(m)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", nil, fmt.Errorf("registry mirror %q: want http://HOST[:PORT] or https://HOST[:PORT]", m)
	}
	if u.Scheme == "http" {
		return u.Host, []name.Option{name.Insecure}, nil
	}
	return u.Host, nil, nil
}

func rewrite(ref name.Reference, repo string, opts ...name.Option) (name.Reference, error) {
	opts = append(opts, name.StrictValidation)
	if _, ok := ref.(name.Digest); ok {
		return name.NewDigest(repo+"@"+ref.Identifier(), opts...)
	}
	return name.NewTag(repo+":"+ref.Identifier(), opts...)
}

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
