package pull

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"pocket/reference"
)

// retryBackoff paces retries of registry requests and of whole layers.
// Tests shorten it.
var retryBackoff = remote.Backoff{Duration: time.Second, Factor: 3, Jitter: 0.1, Steps: 3}

// remoteImage is an image found on one endpoint.
type remoteImage struct {
	at       endpoint
	puller   *remote.Puller
	digest   v1.Hash // of the manifest as pulled (the index, for an index)
	manifest *v1.Manifest
	rawMan   []byte
	rawCfg   []byte
	config   *v1.ConfigFile
}

// retryStatus are the replies worth retrying a request for.
var retryStatus = []int{http.StatusRequestTimeout, http.StatusTooManyRequests,
	http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout}

// remoteOptions are every registry request's: Docker's credentials
// (~/.docker/config.json or $DOCKER_CONFIG, credential helpers included),
// certs.d's TLS settings, retries with backoff on 5xx, 429 and resets.
func remoteOptions(ctx context.Context) []remote.Option {
	return []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(authn.DefaultKeychain),
		remote.WithTransport(newCertsTransport()),
		remote.WithUserAgent("pocket"),
		remote.WithRetryBackoff(retryBackoff),
		remote.WithRetryStatusCodes(retryStatus...),
	}
}

// newPuller shares authentication (bearer tokens) across every request of
// one pull.
func newPuller(ctx context.Context) (*remote.Puller, error) {
	return remote.NewPuller(remoteOptions(ctx)...)
}

// resolve finds ref's image for platform, trying each endpoint in order and
// moving on after any failure, as dockerd does with registry-mirrors. The
// error reported is the last one, unless it is only a failure to reach
// Docker Hub and a mirror gave a definite answer (such as an unknown tag).
func resolve(ctx context.Context, ref name.Reference, r Registries, platform v1.Platform) (*remoteImage, error) {
	eps, err := endpoints(ref, r)
	if err != nil {
		return nil, err
	}
	p, err := newPuller(ctx)
	if err != nil {
		return nil, err
	}
	var firm, last error
	for _, ep := range eps {
		ri, err := fetchWithRetry(ctx, p, ep, platform)
		if err == nil {
			return ri, nil
		}
		if ctx.Err() != nil {
			return nil, describe(ctx.Err(), ref)
		}
		last = describe(err, ref)
		if firm == nil && definitive(last) {
			firm = last
		}
	}
	if firm != nil && !definitive(last) {
		return nil, firm
	}
	return nil, last
}

// fetchWithRetry retries fetchImage when the connection breaks while a
// manifest or config is read (the transport retries only whole requests
// that fail before a body arrives).
func fetchWithRetry(ctx context.Context, p *remote.Puller, ep endpoint, platform v1.Platform) (*remoteImage, error) {
	delay := retryBackoff.Duration
	for attempt := 1; ; attempt++ {
		ri, err := fetchImage(ctx, p, ep, platform)
		if err == nil || attempt >= layerAttempts || !interrupted(err) || ctx.Err() != nil {
			return ri, err
		}
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		delay = time.Duration(float64(delay) * retryBackoff.Factor)
	}
}

// fetchImage reads the manifest (choosing from an index by platform) and
// the config from one endpoint.
func fetchImage(ctx context.Context, p *remote.Puller, ep endpoint, platform v1.Platform) (*remoteImage, error) {
	desc, err := p.Get(ctx, ep.ref)
	if err != nil {
		return nil, err
	}
	ri := &remoteImage{at: ep, puller: p, digest: desc.Digest}
	var img v1.Image
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return nil, err
		}
		im, err := idx.IndexManifest()
		if err != nil {
			return nil, err
		}
		child, err := pickPlatform(im, platform, reference.Canonical(ep.ref))
		if err != nil {
			return nil, err
		}
		if img, err = idx.Image(child); err != nil {
			return nil, err
		}
	} else if img, err = desc.Image(); err != nil {
		return nil, err
	}
	if ri.rawMan, err = img.RawManifest(); err != nil {
		return nil, err
	}
	if ri.manifest, err = img.Manifest(); err != nil {
		return nil, err
	}
	if ri.rawCfg, err = img.RawConfigFile(); err != nil {
		return nil, err
	}
	if ri.config, err = img.ConfigFile(); err != nil {
		return nil, fmt.Errorf("image config: %w", err)
	}
	return ri, nil
}

// pickPlatform chooses the index entry for platform, or says which
// platforms there are.
func pickPlatform(im *v1.IndexManifest, platform v1.Platform, what string) (v1.Hash, error) {
	var have []string
	for _, m := range im.Manifests {
		if !m.MediaType.IsImage() {
			continue
		}
		if matches(m.Platform, platform) {
			return m.Digest, nil
		}
		if m.Platform != nil && m.Platform.OS != "unknown" {
			have = append(have, platformString(*m.Platform))
		}
	}
	return v1.Hash{}, fmt.Errorf("%w for %s in the manifest list entries of %s (hint: available: %s; choose one with --platform)",
		ErrNoMatchingManifest, platformString(platform), what, strings.Join(have, ", "))
}

// layerOpener opens a remote layer's compressed stream with its own
// context, so a stalled transfer can be cancelled alone.
func (ri *remoteImage) layerOpener(d v1.Hash) func(ctx context.Context) (io.ReadCloser, error) {
	return func(ctx context.Context) (io.ReadCloser, error) {
		l, err := ri.puller.Layer(ctx, ri.at.ref.Context().Digest(d.String()))
		if err != nil {
			return nil, err
		}
		return l.Compressed()
	}
}
