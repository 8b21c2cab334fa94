package reference

import (
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// Hub is how Docker names Docker Hub in canonical references.
const Hub = "docker.io"

// isHubHost reports whether host is a spelling of Docker Hub: Docker's own
// "docker.io", the legacy "index.docker.io" (go-containerregistry's
// name.DefaultRegistry) and "registry-1.docker.io", where the API lives.
// Every question about Docker Hub ends here, so a pull, a mirror and the
// store always agree on which images are the same.
func isHubHost(host string) bool {
	switch host {
	case Hub, name.DefaultRegistry, "registry-1.docker.io":
		return true
	}
	return false
}

// IsDockerHub reports whether repo lives on Docker Hub.
func IsDockerHub(repo name.Repository) bool { return isHubHost(repo.RegistryStr()) }

// Domain is repo's registry as Docker prints it: "docker.io" for Docker Hub.
func Domain(repo name.Repository) string {
	if IsDockerHub(repo) {
		return Hub
	}
	return repo.RegistryStr()
}

// CanonicalRepo is Docker's fully qualified repository name:
// docker.io/library/alpine, not index.docker.io/library/alpine.
func CanonicalRepo(repo name.Repository) string {
	return Domain(repo) + "/" + repo.RepositoryStr()
}

// Canonical is the fully qualified reference, as the store keeps it and
// Docker prints it after a pull: docker.io/library/alpine:3.20 or
// docker.io/library/alpine@sha256:...
func Canonical(ref name.Reference) string {
	return CanonicalRepo(ref.Context()) + sep(ref) + ref.Identifier()
}

// Familiar is Docker's short form of ref: alpine:3.20, user/app@sha256:...
func Familiar(ref name.Reference) string {
	return FamiliarName(CanonicalRepo(ref.Context())) + sep(ref) + ref.Identifier()
}

func sep(ref name.Reference) string {
	if _, ok := ref.(name.Digest); ok {
		return "@"
	}
	return ":"
}

// FamiliarName is Docker's short form of a canonical repository name:
// docker.io/library/alpine is "alpine", docker.io/user/app is "user/app",
// docker.io/library/a/b stays "library/a/b", anything off Docker Hub is
// unchanged.
func FamiliarName(repo string) string {
	host, rest, ok := strings.Cut(repo, "/")
	if !ok || !isHubHost(host) {
		return repo
	}
	if r, ok := strings.CutPrefix(rest, officialRepo); ok && !strings.ContainsRune(r, '/') {
		return r
	}
	return rest
}

// FamiliarString is Docker's short form of a canonical reference string:
// docker.io/library/alpine:3.20 is "alpine:3.20".
func FamiliarString(ref string) string {
	repo, rest := Split(ref)
	return FamiliarName(repo) + rest
}

// Split cuts a canonical reference string into its repository and its tag
// or digest, with the separator kept on the second part (":3.20" or
// "@sha256:..."); rest is empty when there is neither.
func Split(ref string) (repo, rest string) {
	if i := strings.IndexRune(ref, '@'); i > -1 {
		return ref[:i], ref[i:]
	}
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		return ref[:i], ref[i:]
	}
	return ref, ""
}
