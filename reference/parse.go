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
	// The grammar's bounded repeats, [\w.-]{0,127} and [[:xdigit:]]{32,},
	// are written unbounded and their bounds checked on the match
	// (tagMax, digestMin): compiled, each bound is that many copies of
	// its class, and the program they make costs a fresh pocket process
	// about 3 ms of allocation and page faults on every command that
	// names an image.
	tagPat    = `[\w][\w.-]*`
	digestPat = `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:]([[:xdigit:]]+)`
	tagMax    = 128
	digestMin = 32

	officialRepo  = "library/"
	nameMaxLength = 255
)

// The grammar is compiled on first use, not at start-up: every pocket
// process (the container's monitor too) would otherwise pay for it, and
// most never parse a reference.
var referenceRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(` + namePat + `)(?::(` + tagPat + `))?(?:@(` + digestPat + `))?$`)
})

// match is the grammar's submatches of s (name, tag, digest, the
// digest's hex), or nil where s is no reference.
func match(s string) []string {
	m := referenceRe().FindStringSubmatch(s)
	if m == nil || len(m[2]) > tagMax || m[3] != "" && len(m[4]) < digestMin {
		return nil
	}
	return m
}

// isHex reports whether s is n or more hexadecimal digits (exactly n when
// exact), lowercase only when lower.
func isHex(s string, n int, exact, lower bool) bool {
	if len(s) < n || exact && len(s) != n {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
		case !lower && 'A' <= c && c <= 'F':
		default:
			return false
		}
	}
	return true
}

// isHex64 is an image ID's long form: 64 lowercase hexadecimal digits.
func isHex64(s string) bool { return isHex(s, 64, true, true) }

// isDigestOnly is a digest with no name: sha256, sha384 or sha512, a
// colon and 32 or more hexadecimal digits of either case.
func isDigestOnly(s string) bool {
	algo, hex, ok := strings.Cut(s, ":")
	return ok && (algo == "sha256" || algo == "sha384" || algo == "sha512") && isHex(hex, 32, false, false)
}

// isSHA256 is the only digest a reference may carry: sha256: and 64
// lowercase hexadecimal digits.
func isSHA256(s string) bool {
	hex, ok := strings.CutPrefix(s, "sha256:")
	return ok && isHex64(hex)
}

// IsImageID reports whether s has the shape of an image ID and can never
// be a name: 64 hexadecimal digits, or a digest ("sha256:..."), as
// Docker's ParseAnyReference reads them. A short hex prefix such as
// "3f2a" is also a valid name and is not reported here.
func IsImageID(s string) bool {
	return isHex64(s) || isDigestOnly(s)
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
	if isHex64(s) {
		return nil, fmt.Errorf("a 64-character hexadecimal string is an image ID, not a repository name")
	}
	if isDigestOnly(s) {
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
	m := match(domain + "/" + rest)
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
		if !isSHA256(m[3]) {
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
