package reference

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
)

// The grammar of github.com/distribution/reference (regexp.go), which is
// what "docker pull" accepts; go-containerregistry's name package is looser
// (it allows "a..b" or "-a"), so we validate first and let it build the
// value.
const (
	alnum         = `[a-z0-9]+`
	separator     = `(?:[._]|__|[-]+)`
	pathComponent = alnum + `(?:` + separator + alnum + `)*`
	domainComp    = `(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])`
	domainName    = domainComp + `(?:\.` + domainComp + `)*`
	ipv6          = `\[(?:[a-fA-F0-9:]+)\]`
	domainAndPort = `(?:` + domainName + `|` + ipv6 + `)(?::[0-9]+)?`
	namePat       = `(?:` + domainAndPort + `/)?` + pathComponent + `(?:/` + pathComponent + `)*`
	tagPat        = `[\w][\w.-]{0,127}`
	digestPat     = `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,}`

	officialRepo  = "library/"
	nameMaxLength = 255
)

// The grammar is compiled on first use, not at start-up: every pocket
// process (the container's init and monitor too) would otherwise pay
// about 2 ms for it, and most never parse a reference.
var (
	referenceRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(` + namePat + `)(?::(` + tagPat + `))?(?:@(` + digestPat + `))?$`)
	})
	hex64Re    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-f0-9]{64}$`) })
	digestOnly = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^sha(256|384|512):[a-fA-F0-9]{32,}$`) })
	sha256Re   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^sha256:[a-f0-9]{64}$`) })
)

// IsImageID reports whether s has the shape of an image ID and can never
// be a name: 64 hexadecimal digits, or a digest ("sha256:..."), as
// Docker's ParseAnyReference reads them. A short hex prefix such as
// "3f2a" is also a valid name and is not reported here.
func IsImageID(s string) bool {
	return hex64Re().MatchString(s) || digestOnly().MatchString(s)
}

// splitDockerDomain is distribution/reference's rule for where the
// registry ends: a first component with "." or ":", "localhost", or any
// uppercase letter is a registry; otherwise the name is on Docker Hub.
// Every spelling of Docker Hub becomes "docker.io", and a one-component
// Hub name lives in library/.
func splitDockerDomain(s string) (domain, rest string) {
	i := strings.IndexRune(s, '/')
	if i == -1 || (!strings.ContainsAny(s[:i], ".:") && s[:i] != "localhost" && strings.ToLower(s[:i]) == s[:i]) {
		domain, rest = Hub, s
	} else {
		domain, rest = s[:i], s[i+1:]
	}
	if isHubHost(domain) {
		domain = Hub
		if !strings.ContainsRune(rest, '/') {
			rest = officialRepo + rest
		}
	}
	return domain, rest
}

// Parse parses an image reference with Docker's rules: "alpine" is
// docker.io/library/alpine:latest, "user/app" is docker.io/user/app:latest,
// a first component with a dot, a colon or "localhost" is a registry.
// A reference with a digest is a name.Digest (a tag beside it is dropped,
// as pulls by digest ignore it); otherwise it is a name.Tag. A reference
// to Docker Hub, however spelled, has go-containerregistry's registry
// name.DefaultRegistry. Errors wrap ErrBadReference.
func Parse(s string) (name.Reference, error) {
	ref, err := parse(s)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrBadReference, s, err)
	}
	return ref, nil
}

func parse(s string) (name.Reference, error) {
	if s == "" {
		return nil, fmt.Errorf("empty image name")
	}
	if hex64Re().MatchString(s) {
		return nil, fmt.Errorf("a 64-character hexadecimal string is an image ID, not a repository name")
	}
	if digestOnly().MatchString(s) {
		// Grammatically the repository "sha256" with a tag, but what the
		// user has is an image ID, never a name (Docker's ParseAnyReference).
		return nil, fmt.Errorf("a digest is not a repository name (hint: use it as an image ID or as NAME@DIGEST)")
	}
	domain, rest := splitDockerDomain(s)
	remote := rest
	if i := strings.IndexRune(rest, ':'); i > -1 {
		remote = rest[:i]
	}
	if strings.ToLower(remote) != remote {
		return nil, fmt.Errorf("repository name (%s) must be lowercase", remote)
	}
	m := referenceRe().FindStringSubmatch(domain + "/" + rest)
	if m == nil {
		return nil, fmt.Errorf("not [REGISTRY/]NAME[:TAG][@DIGEST]")
	}
	if len(m[1]) > nameMaxLength {
		return nil, fmt.Errorf("repository name (%s) must not be more than %d characters", m[1], nameMaxLength)
	}
	path := strings.TrimPrefix(m[1], domain+"/")
	reg, err := name.NewRegistry(domain)
	if err != nil {
		return nil, err
	}
	repo := reg.Repo(path)
	if m[3] != "" {
		if !sha256Re().MatchString(m[3]) {
			return nil, fmt.Errorf("digest must be sha256:<64 lowercase hex digits>")
		}
		return repo.Digest(m[3]), nil
	}
	tag := m[2]
	if tag == "" {
		tag = "latest"
	}
	return repo.Tag(tag), nil
}
