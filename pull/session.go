package pull

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// session is an authenticated client for one repository, for the blob
// requests go-containerregistry does not expose one by one: whether a blob
// is there, and a cross-repository mount whose outcome push reports.
type session struct {
	repo   name.Repository
	client *http.Client
}

// baseTransport is remoteOptions' transport stack for requests pocket
// makes itself: certs.d, retries with backoff, pocket's user agent.
func baseTransport() http.RoundTripper {
	return userAgent(retryTransport())
}

// retryTransport is certs.d's TLS settings and retries with backoff.
func retryTransport() http.RoundTripper {
	return transport.NewRetry(traced(newCertsTransport()), transport.WithRetryBackoff(retryBackoff), transport.WithRetryStatusCodes(retryStatus...))
}

// userAgent names pocket in rt's requests.
func userAgent(rt http.RoundTripper) http.RoundTripper {
	return transport.NewUserAgent(rt, "pocket")
}

// newSession authenticates to repo's registry over rt (baseTransport's
// stack) with Docker's credentials for scopes (push and pull of repo when
// empty).
func newSession(ctx context.Context, rt http.RoundTripper, repo name.Repository, scopes ...string) (*session, error) {
	auth, err := authn.DefaultKeychain.Resolve(repo.Registry)
	if err != nil {
		return nil, fmt.Errorf("credentials for %s: %w", repo.RegistryStr(), err)
	}
	if len(scopes) == 0 {
		scopes = []string{repo.Scope(transport.PushScope)}
	}
	rt, err = transport.NewWithContext(ctx, repo.Registry, auth, rt, scopes)
	if err != nil {
		return nil, err
	}
	return &session{repo: repo, client: &http.Client{Transport: rt}}, nil
}

func (s *session) url(path string, q url.Values) string {
	u := url.URL{Scheme: s.repo.Scheme(), Host: s.repo.RegistryStr(), Path: "/v2/" + s.repo.RepositoryStr() + path, RawQuery: q.Encode()}
	return u.String()
}

// hasBlob asks with HEAD whether the repository holds blob d.
func (s *session) hasBlob(ctx context.Context, d v1.Hash) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, s.url("/blobs/"+d.String(), nil), nil)
	if err != nil {
		return false, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return false, nil
	}
	if err := transport.CheckError(resp, http.StatusOK); err != nil {
		return false, err
	}
	return true, nil
}

// mount asks the registry to link blob d from repository from (on the same
// registry) into this one (distribution spec, "Mounting a blob from
// another repository"). A registry that declines answers 202 with an
// upload session instead, which is left to expire: pushing then uploads.
func (s *session) mount(ctx context.Context, d v1.Hash, from string) (bool, error) {
	q := url.Values{"mount": {d.String()}, "from": {from}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url("/blobs/uploads/", q), nil)
	if err != nil {
		return false, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusCreated:
		return true, nil
	case http.StatusAccepted:
		if loc := resp.Header.Get("Location"); loc != "" {
			if u, err := req.URL.Parse(loc); err == nil {
				if del, err := http.NewRequestWithContext(ctx, http.MethodDelete, u.String(), nil); err == nil {
					if r, err := s.client.Do(del); err == nil {
						r.Body.Close()
					}
				}
			}
		}
		return false, nil
	}
	return false, transport.CheckError(resp, http.StatusCreated)
}

// manifestIs asks with HEAD whether the repository's tag names the
// manifest d already. Any doubt (no such tag, no digest header, an
// error) is "no": the caller then pushes as usual.
func (s *session) manifestIs(ctx context.Context, tag string, d v1.Hash, mt types.MediaType) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, s.url("/manifests/"+tag, nil), nil)
	if err != nil {
		return false
	}
	req.Header.Set("Accept", string(mt))
	resp, err := s.client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK && resp.Header.Get("Docker-Content-Digest") == d.String()
}
