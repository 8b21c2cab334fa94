package pull

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"pocket/reference"
	"pocket/store"
)

var (
	// errNoDiffID is what the layers push hands go-containerregistry say
	// of their diffID, which an upload never asks for.
	errNoDiffID = errors.New("diffID of a pushed blob: not needed")
	// ErrManifestUnknown is returned when the registry has no such tag or digest.
	ErrManifestUnknown = errors.New("manifest unknown")
	// ErrRepositoryUnknown is returned when the repository does not exist or
	// the registry refuses access (registries do not tell the two apart).
	ErrRepositoryUnknown = errors.New("not found or access denied")
	// ErrRateLimited is returned on HTTP 429 after retries.
	ErrRateLimited = errors.New("toomanyrequests: rate limit reached")
	// ErrStalled is returned when a transfer delivers no bytes for too long.
	ErrStalled = errors.New("download stalled")
	// ErrNoMatchingManifest is returned when an index has no image for the
	// requested platform.
	ErrNoMatchingManifest = errors.New("no matching manifest")
	// ErrBadArchive is returned for an archive or layout that is not a
	// docker-save tar or an OCI layout.
	ErrBadArchive = errors.New("unrecognized image archive")
	// ErrBadLayer is returned for a layer whose content pocket refuses to
	// unpack: a corrupt archive, or an entry that is unsafe or invalid.
	ErrBadLayer = errors.New("invalid layer content")
	// ErrUnauthorized is returned when a registry wants credentials it
	// did not get, or refuses those it got.
	ErrUnauthorized = errors.New("unauthorized: authentication required")
	// ErrDenied is returned when the credentials do not allow the push.
	ErrDenied = errors.New("denied: requested access to the resource is denied")
	// ErrBadCredentials is returned by login for a refused user or password.
	ErrBadCredentials = errors.New("unauthorized: incorrect username or password")
	// ErrBadTransport is returned for a docker-archive:, oci-archive: or
	// oci: argument that does not follow the transport's grammar.
	ErrBadTransport = errors.New("invalid image transport")
	// ErrArchiveImage is returned when an archive holds no image by the
	// name given, or several and none was named.
	ErrArchiveImage = errors.New("no such image in the archive")
	// ErrTerminal is returned when asked to write an archive to a terminal.
	ErrTerminal = errors.New("cowardly refusing to save to a terminal. Use the -o flag or redirect")
)

// describe turns a registry error into one line naming the image, as
// `docker pull` does.
func describe(err error, ref name.Reference) error {
	if err == nil || errors.Is(err, ErrNoMatchingManifest) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, store.ErrDigestMismatch) || errors.Is(err, ErrStalled) {
		return fmt.Errorf("pull %s: %w", reference.Canonical(ref), err)
	}
	if errors.Is(err, ErrBadLayer) {
		// The registry delivered it intact: the image itself is broken or
		// hostile, whatever the network.
		return fmt.Errorf("pull %s: %w (hint: the image is broken or unsafe; ask its publisher for a fixed one)", reference.Canonical(ref), err)
	}
	repo := reference.CanonicalRepo(ref.Context())
	var te *transport.Error
	if errors.As(err, &te) {
		codes := map[transport.ErrorCode]bool{}
		for _, d := range te.Errors {
			codes[d.Code] = true
		}
		switch {
		case te.StatusCode == http.StatusTooManyRequests || codes[transport.TooManyRequestsErrorCode]:
			hint := "wait, or log in with docker login"
			if reference.IsDockerHub(ref.Context()) {
				hint = "docker login, or set --registry-mirror"
			}
			return fmt.Errorf("%w for %s (hint: %s)", ErrRateLimited, reference.Domain(ref.Context()), hint)
		case codes[transport.ManifestUnknownErrorCode] && !codes[transport.NameUnknownErrorCode]:
			if t, ok := ref.(name.Tag); ok {
				return fmt.Errorf("%w: no tag %s for %s", ErrManifestUnknown, t.TagStr(), repo)
			}
			return fmt.Errorf("%w: no manifest %s in %s", ErrManifestUnknown, ref.Identifier(), repo)
		case codes[transport.NameUnknownErrorCode] || codes[transport.UnauthorizedErrorCode] || codes[transport.DeniedErrorCode] ||
			te.StatusCode == http.StatusUnauthorized || te.StatusCode == http.StatusForbidden || te.StatusCode == http.StatusNotFound:
			return fmt.Errorf("repository %s %w (hint: check the name, or log in with docker login)", repo, ErrRepositoryUnknown)
		}
	}
	hint := "check the network and the registry address"
	switch {
	case localFault(err):
		hint = "free space or fix permissions where the store lives, or point --root at another disk"
	case strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		hint = "the registry speaks plain HTTP: add --insecure-registry " + ref.Context().RegistryStr()
	case reference.IsDockerHub(ref.Context()):
		hint = "check the network, or set --registry-mirror"
	}
	return fmt.Errorf("pull %s: %w (hint: %s)", reference.Canonical(ref), err, hint)
}

// describePush turns a registry error into one line naming the
// repository, with a hint to log in when the registry wants credentials.
func describePush(err error, ref name.Reference) error {
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("push %s: %w", reference.Canonical(ref), err)
	}
	login := "pocket login " + ref.Context().RegistryStr()
	if reference.IsDockerHub(ref.Context()) {
		login = "pocket login"
	}
	var te *transport.Error
	if errors.As(err, &te) {
		codes := map[transport.ErrorCode]bool{}
		for _, d := range te.Errors {
			codes[d.Code] = true
		}
		switch {
		case codes[transport.DeniedErrorCode] || te.StatusCode == http.StatusForbidden:
			return fmt.Errorf("push %s: %w (hint: %s, as a user allowed to push there)", reference.Canonical(ref), ErrDenied, login)
		case codes[transport.UnauthorizedErrorCode] || te.StatusCode == http.StatusUnauthorized:
			return fmt.Errorf("push %s: %w (hint: %s)", reference.Canonical(ref), ErrUnauthorized, login)
		case te.StatusCode == http.StatusTooManyRequests || codes[transport.TooManyRequestsErrorCode]:
			return fmt.Errorf("push %s: %w (hint: wait, or %s)", reference.Canonical(ref), ErrRateLimited, login)
		}
	}
	hint := "check the network and the registry address"
	switch {
	case localFault(err):
		hint = "fix the store's disk or permissions"
	case strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		hint = "the registry speaks plain HTTP: add --insecure-registry " + ref.Context().RegistryStr()
	case strings.Contains(err.Error(), "x509:") || strings.Contains(err.Error(), "tls:"):
		hint = "trust the registry's CA in " + CertsDir + "/" + ref.Context().RegistryStr() + "/ca.crt"
	}
	return fmt.Errorf("push %s: %w (hint: %s)", reference.Canonical(ref), err, hint)
}

// definitive reports whether err is the registry's own answer about the
// image (not found, denied) rather than a failure to reach it.
func definitive(err error) bool {
	return errors.Is(err, ErrManifestUnknown) || errors.Is(err, ErrRepositoryUnknown) || errors.Is(err, ErrNoMatchingManifest)
}

// retryable reports whether a layer download that failed with err is worth
// restarting from scratch.
func retryable(err error) bool {
	if localFault(err) || errors.Is(err, ErrBadLayer) {
		return false
	}
	if errors.Is(err, ErrStalled) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, store.ErrDigestMismatch) {
		return false
	}
	var te *transport.Error
	if errors.As(err, &te) {
		return te.StatusCode == http.StatusTooManyRequests || te.StatusCode >= 500 || te.Temporary()
	}
	// Not net.Error: every syscall.Errno satisfies it, disk errors included.
	var ne *net.OpError
	if errors.As(err, &ne) {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "connection reset") || strings.Contains(s, "unexpected EOF") || strings.Contains(s, "broken pipe")
}

// localFault reports whether err comes from this machine's disk (full,
// over quota, read-only, refused): retrying the download cannot help.
func localFault(err error) bool {
	var pe *fs.PathError
	var le *os.LinkError
	if !errors.As(err, &pe) && !errors.As(err, &le) {
		return false
	}
	for _, e := range []error{syscall.ENOSPC, syscall.EDQUOT, syscall.EROFS, syscall.EACCES, syscall.EPERM, syscall.EMFILE, syscall.ENFILE} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// interrupted reports whether a transfer broke off midway (a reset or a
// truncated body), which is worth retrying even on a mirror; a refused
// connection or an unknown host is not: the next mirror is tried instead.
func interrupted(err error) bool {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "connection reset") || strings.Contains(s, "unexpected EOF")
}
