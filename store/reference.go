package store

import (
	"fmt"
	"regexp"
	"strings"

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

	defaultDomain = "docker.io"
	legacyDomain  = "index.docker.io"
	officialRepo  = "library/"
	nameMaxLength = 255
)

var (
	referenceRe = regexp.MustCompile(`^(` + namePat + `)(?::(` + tagPat + `))?(?:@(` + digestPat + `))?$`)
	hex64Re     = regexp.MustCompile(`^[a-f0-9]{64}$`)
	digestOnly  = regexp.MustCompile(`^sha(256|384|512):[a-fA-F0-9]{32,}$`)
)

// badRef is the detail of a rejected reference; ParseReference adds the
// sentinel and the input, so every message names what the user typed.
func badRef(format string, args ...any) error {
	return fmt.Errorf(format, args...)
}

// splitDockerDomain is distribution/reference's rule for where the
// registry ends: a first component with "." or ":", "localhost", or any
// uppercase letter is a registry; otherwise the name is on Docker Hub, and a
// one-component Hub name lives in library/.
func splitDockerDomain(s string) (domain, rest string) {
	i := strings.IndexRune(s, '/')
	if i == -1 || (!strings.ContainsAny(s[:i], ".:") && s[:i] != "localhost" && strings.ToLower(s[:i]) == s[:i]) {
		domain, rest = defaultDomain, s
	} else {
		domain, rest = s[:i], s[i+1:]
	}
	if domain == legacyDomain {
		domain = defaultDomain
	}
	if domain == defaultDomain && !strings.ContainsRune(rest, '/') {
		rest = officialRepo + rest
	}
	return domain, rest
}

// ParseReference parses an image reference with Docker's rules: "alpine"
// is docker.io/library/alpine:latest, "user/app" is docker.io/user/app:latest,
// a first component with a dot, a colon or "localhost" is a registry.
// A reference with a digest is a name.Digest (a tag beside it is dropped,
// as pulls by digest ignore it); otherwise it is a name.Tag.
// Errors wrap ErrBadReference.
func ParseReference(s string) (name.Reference, error) {
	ref, err := parseReference(s)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrBadReference, s, err)
	}
	return ref, nil
}

func parseReference(s string) (name.Reference, error) {
	if s == "" {
		return nil, badRef("empty image name")
	}
	if hex64Re.MatchString(s) {
		return nil, badRef("a 64-character hexadecimal string is an image ID, not a repository name")
	}
	if digestOnly.MatchString(s) {
		// Grammatically the repository "sha256" with a tag, but what the
		// user has is an image ID, never a name (Docker's ParseAnyReference).
		return nil, badRef("a digest is not a repository name (hint: use it as an image ID or as NAME@DIGEST)")
	}
	domain, rest := splitDockerDomain(s)
	remote := rest
	if i := strings.IndexRune(rest, ':'); i > -1 {
		remote = rest[:i]
	}
	if strings.ToLower(remote) != remote {
		return nil, badRef("repository name (%s) must be lowercase", remote)
	}
	m := referenceRe.FindStringSubmatch(domain + "/" + rest)
	if m == nil {
		return nil, badRef("not [REGISTRY/]NAME[:TAG][@DIGEST]")
	}
	if len(m[1]) > nameMaxLength {
		return nil, badRef("repository name (%s) must not be more than %d characters", m[1], nameMaxLength)
	}
	path := strings.TrimPrefix(m[1], domain+"/")
	reg, err := name.NewRegistry(domain)
	if err != nil {
		return nil, badRef("%v", err)
	}
	repo := reg.Repo(path)
	if m[3] != "" {
		if !strings.HasPrefix(m[3], "sha256:") || !sha256Hex.MatchString(strings.TrimPrefix(m[3], "sha256:")) {
			return nil, badRef("digest must be sha256:<64 lowercase hex digits>")
		}
		return repo.Digest(m[3]), nil
	}
	tag := m[2]
	if tag == "" {
		tag = "latest"
	}
	return repo.Tag(tag), nil
}

// canonicalRepo is the repository with Docker's spelling of Docker Hub
// ("docker.io", where go-containerregistry says "index.docker.io").
func canonicalRepo(r name.Repository) string {
	reg := r.RegistryStr()
	if reg == name.DefaultRegistry {
		reg = defaultDomain
	}
	return reg + "/" + r.RepositoryStr()
}

// canonical is the full stored form of a reference:
// docker.io/library/alpine:3.20 or docker.io/library/alpine@sha256:...
func canonical(r name.Reference) string {
	switch r := r.(type) {
	case name.Digest:
		return canonicalRepo(r.Context()) + "@" + r.DigestStr()
	case name.Tag:
		return canonicalRepo(r.Context()) + ":" + r.TagStr()
	}
	return r.Name()
}

// splitName cuts a canonical name into repository and tag or digest, with
// the separator kept on the second part (":3.20" or "@sha256:...").
func splitName(n string) (repo, rest string) {
	if i := strings.IndexRune(n, '@'); i > -1 {
		return n[:i], n[i:]
	}
	if i := strings.LastIndexByte(n, ':'); i > strings.LastIndexByte(n, '/') {
		return n[:i], n[i:]
	}
	return n, ""
}

// familiar is Docker's short display form of a canonical reference.
func familiar(n string) string {
	repo, rest := splitName(n)
	return FamiliarName(repo) + rest
}

// FamiliarName is Docker's short display form of a canonical repository
// name: docker.io/library/alpine is "alpine", docker.io/user/app is
// "user/app", anything else is unchanged.
func FamiliarName(repo string) string {
	for _, d := range []string{defaultDomain + "/", legacyDomain + "/"} {
		if rest, ok := strings.CutPrefix(repo, d); ok {
			if r, ok := strings.CutPrefix(rest, officialRepo); ok && !strings.ContainsRune(r, '/') {
				return r
			}
			return rest
		}
	}
	return repo
}
