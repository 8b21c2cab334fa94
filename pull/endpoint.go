package pull

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"pocket/reference"
)

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
	if reference.IsDockerHub(repo) {
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
	if slices.Contains(r.Insecure, repo.RegistryStr()) || slices.Contains(r.Insecure, reference.Domain(repo)) {
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
