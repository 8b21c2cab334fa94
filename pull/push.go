package pull

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/sync/errgroup"

	"pocket/reference"
	"pocket/store"
	"pocket/trace"
)

// PushOptions tune one push.
type PushOptions struct {
	Registries
	AllTags bool      // -a: every local tag of the repository
	Quiet   bool      // -q: print only the pushed reference
	Out     io.Writer // progress, Docker's non-terminal lines
	Err     io.Writer // warnings
}

// Push uploads the image ref names (a tag; with AllTags, every local tag
// of ref's repository) to its registry. An image pulled from a registry is
// pushed with its original manifest and compressed blobs, so it keeps its
// manifest digest: each blob missing at the destination is mounted from
// another repository of the same registry, or re-fetched from the
// repository it was pulled from, as Image.Sources records. Only an image
// with no such source (loaded from an archive with compressed layers) has
// its layers compressed again (gzip, deterministic) under a new manifest.
func Push(ctx context.Context, s *store.Store, ref name.Reference, o PushOptions) error {
	if _, ok := ref.(name.Digest); ok {
		return fmt.Errorf("push %s: %w: cannot push a digest reference", reference.Familiar(ref), reference.ErrBadReference)
	}
	defer trace.CPUProfile()()
	trace.Mark("push: start")
	defer trace.Mark("push: done")
	eps, err := endpoints(ref, Registries{Insecure: o.Insecure})
	if err != nil {
		return err
	}
	target := eps[len(eps)-1].ref.Context()
	// The registry's ping (and token) go on while the store is read.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := newPusher(ctx, s, target)
	go p.session(ctx, target)
	release, err := s.Hold()
	if err != nil {
		return err
	}
	defer release()
	tags, err := pushTags(s, ref, o.AllTags)
	if err != nil {
		return err
	}
	out := o.Out
	if o.Quiet || out == nil {
		out = io.Discard
	}
	if o.Err == nil {
		o.Err = io.Discard
	}
	p.out, p.warn = out, o.Err
	fmt.Fprintf(out, "The push refers to repository [%s]\n", reference.CanonicalRepo(ref.Context()))
	for _, t := range tags {
		img, err := s.LookupImage(t)
		if err != nil {
			return fmt.Errorf("an image does not exist locally with the tag: %s", reference.FamiliarName(reference.CanonicalRepo(t.Context())))
		}
		d, size, err := p.image(ctx, img, target.Tag(t.TagStr()))
		if err != nil {
			return describePush(err, ref)
		}
		fmt.Fprintf(out, "%s: digest: %s size: %d\n", t.TagStr(), d, size)
	}
	if o.Quiet && o.Out != nil {
		fmt.Fprintln(o.Out, reference.Canonical(ref))
	}
	return nil
}

// pushTags lists the local tags a push of ref sends, in order.
func pushTags(s *store.Store, ref name.Reference, all bool) ([]name.Tag, error) {
	if !all {
		return []name.Tag{ref.(name.Tag)}, nil
	}
	imgs, err := s.Images()
	if err != nil {
		return nil, err
	}
	repo := reference.CanonicalRepo(ref.Context())
	var tags []name.Tag
	for _, img := range imgs {
		for _, n := range img.Names {
			if r, rest := reference.Split(n); r == repo && len(rest) > 1 && rest[0] == ':' {
				tags = append(tags, ref.Context().Tag(rest[1:]))
			}
		}
	}
	if len(tags) == 0 {
		return nil, fmt.Errorf("an image does not exist locally with the tag: %s", reference.FamiliarName(repo))
	}
	slices.SortFunc(tags, func(a, b name.Tag) int { return cmpString(a.TagStr(), b.TagStr()) })
	return tags, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// pusher pushes images to one repository. Its methods may run for
// several layers at once.
type pusher struct {
	s      *store.Store
	target name.Repository
	remote *remote.Pusher
	out    io.Writer
	warn   io.Writer

	// rt is every session's transport (baseTransport's stack), which
	// answers the target's first ping from pings sent ahead.
	rt http.RoundTripper

	mu       sync.Mutex
	sessions map[string]*sessionOnce // by repository, for blob checks
}

// newPusher is a pusher to target whose target registry's pings are on
// their way.
func newPusher(ctx context.Context, s *store.Store, target name.Repository) *pusher {
	next := retryTransport()
	pings := newPings(userAgent(next), next)
	pings.start(ctx, target.Registry)
	return &pusher{s: s, target: target, out: io.Discard, warn: io.Discard, rt: userAgent(pings), sessions: map[string]*sessionOnce{}}
}

// sessionOnce is a session made once, by whichever caller asks first.
type sessionOnce struct {
	once sync.Once
	s    *session
	err  error
}

// maxUploads is how many layers one push handles at once: dockerd's
// max-concurrent-uploads default.
const maxUploads = 5

// errNoBlob means no known repository holds a layer's original blob.
var errNoBlob = errors.New("no source for the original blob")

// say prints one progress line; layers report from several goroutines.
func (p *pusher) say(format string, a ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.out, format+"\n", a...)
}

// eachLayer calls f for layers 0..n-1, maxUploads at a time, and returns
// the first error (the others are still waited for).
func eachLayer(n int, f func(i int) error) error {
	var g errgroup.Group
	g.SetLimit(maxUploads)
	for i := range n {
		g.Go(func() error { return f(i) })
	}
	return g.Wait()
}

// image pushes img as tag and returns the manifest's digest and size.
func (p *pusher) image(ctx context.Context, img *store.Image, tag name.Tag) (v1.Hash, int64, error) {
	config, err := p.s.Blob(img.ID)
	if err != nil {
		return v1.Hash{}, 0, err
	}
	raw, man := p.original(img)
	ids := make([]string, len(img.Layers))
	for i, l := range img.Layers {
		// Docker names a layer by its diffID when pushing, whatever its
		// compression.
		ids[i] = l.Hex[:12]
		p.say("%s: Preparing", ids[i])
	}
	trace.Mark("push: config and manifest read")
	dst, err := p.session(ctx, p.target)
	if err != nil {
		return v1.Hash{}, 0, err
	}
	trace.Mark("push: session")
	if p.remote == nil {
		// Uploads share the session's authenticated transport: no second
		// ping, no second token, the same connections.
		if p.remote, err = remote.NewPusher(remote.WithContext(ctx), remote.WithTransport(dst.client.Transport), remote.WithRetryBackoff(retryBackoff)); err != nil {
			return v1.Hash{}, 0, err
		}
	}
	if man != nil {
		// A re-push: the tag names this very manifest, so the registry
		// holds every blob it references (it took the manifest only once
		// it had them, and its gc keeps them while the tag does). One
		// request instead of one per blob, as go-containerregistry's
		// Pusher skips a tag's existing manifest; the output is what the
		// per-blob checks would print. Only a blob deleted behind the tag
		// through the API is missed, where docker push would upload it:
		// one HEAD per blob costs a re-push a fifth of its time.
		if d, size, _ := v1.SHA256(bytes.NewReader(raw)); dst.manifestIs(ctx, tag.TagStr(), d, man.MediaType) {
			trace.Mark("push: manifest there")
			for _, id := range ids {
				p.say("%s: Layer already exists", id)
			}
			if img.Manifest == d && slices.Contains(img.Sources, store.SourceRepo(p.target)) {
				return d, size, nil // known already: no index lock, read, write
			}
			return d, size, p.s.AddSource(img.ID, d, store.SourceRepo(p.target))
		}
	}
	// The config goes up beside the layers; only the manifest waits for
	// all of them.
	cfgDesc := v1.Descriptor{Digest: img.ID, Size: int64(len(config)), MediaType: types.DockerConfigJSON}
	cctx, cancel := context.WithCancel(ctx)
	cfgErr := make(chan error, 1)
	go func() {
		cfgErr <- p.blob(cctx, cfgDesc, func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(config)), nil })
	}()
	configUp := sync.OnceValue(func() error { return <-cfgErr })
	defer func() {
		cancel()
		configUp()
	}()
	done := make([]bool, len(img.Layers))
	if man != nil {
		var noBlob atomic.Bool
		err := eachLayer(len(man.Layers), func(i int) error {
			status, err := p.originalLayer(ctx, dst, img, i, man.Layers[i])
			if errors.Is(err, errNoBlob) {
				if !noBlob.Swap(true) {
					fmt.Fprintf(p.warn, "WARNING: layer %s: %v; compressing the image's layers again, which gives it a new manifest digest\n", ids[i], err)
				}
				return nil
			}
			if err != nil {
				return fmt.Errorf("layer %s: %w", ids[i], err)
			}
			p.say("%s: %s", ids[i], status)
			p.record(img.Layers[i], man.Layers[i])
			done[i] = true
			return nil
		})
		if err != nil {
			return v1.Hash{}, 0, err
		}
		if noBlob.Load() {
			man = nil
		}
	}
	mt := types.MediaType("")
	if man == nil {
		if raw, mt, err = p.recompressed(ctx, dst, img, config, ids, done); err != nil {
			return v1.Hash{}, 0, err
		}
	} else {
		mt = man.MediaType
	}
	if err := configUp(); err != nil {
		return v1.Hash{}, 0, fmt.Errorf("image config: %w", err)
	}
	trace.Mark("push: blobs up")
	if err := p.remote.Put(ctx, tag, rawManifest{raw: raw, mt: mt}); err != nil {
		return v1.Hash{}, 0, err
	}
	trace.Mark("push: manifest up")
	d, size, _ := v1.SHA256(bytes.NewReader(raw))
	if man == nil {
		// The new manifest becomes the image's, so the next push of it
		// anywhere gives the same digest.
		return d, size, p.s.SetManifest(img.ID, raw, store.SourceRepo(p.target))
	}
	if err := p.s.AddSource(img.ID, d, store.SourceRepo(p.target)); err != nil {
		return v1.Hash{}, 0, err
	}
	return d, size, nil
}

// original is img's manifest as pulled, when the store has it and it
// describes img's layers; else nil.
func (p *pusher) original(img *store.Image) ([]byte, *v1.Manifest) {
	if img.Manifest == (v1.Hash{}) {
		return nil, nil
	}
	raw, err := p.s.Blob(img.Manifest)
	if err != nil {
		return nil, nil
	}
	man, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil || man.Config.Digest != img.ID || len(man.Layers) != len(img.Layers) {
		return nil, nil
	}
	if man.MediaType == "" {
		man.MediaType = types.OCIManifestSchema1
	}
	if man.MediaType != types.OCIManifestSchema1 && man.MediaType != types.DockerManifestSchema2 {
		return nil, nil
	}
	return raw, man
}

// originalLayer brings layer i's original blob to the destination and
// says how, in Docker's words.
func (p *pusher) originalLayer(ctx context.Context, dst *session, img *store.Image, i int, desc v1.Descriptor) (string, error) {
	if ok, err := dst.hasBlob(ctx, desc.Digest); err != nil {
		return "", err
	} else if ok {
		return "Layer already exists", nil
	}
	var others []name.Repository
	for _, src := range img.Sources {
		repo, err := store.ParseSourceRepo(src)
		if err != nil || repo.Name() == p.target.Name() {
			continue
		}
		if repo.RegistryStr() != p.target.RegistryStr() {
			others = append(others, repo)
			continue
		}
		if mounted, err := p.mount(ctx, desc.Digest, repo); err == nil && mounted {
			return "Mounted from " + repo.RepositoryStr(), nil
		}
		others = append(others, repo)
	}
	for _, repo := range others {
		src, err := p.session(ctx, repo)
		if err != nil {
			continue
		}
		if ok, err := src.hasBlob(ctx, desc.Digest); err != nil || !ok {
			continue
		}
		l, err := remote.Layer(repo.Digest(desc.Digest.String()), remoteOptions(ctx)...)
		if err != nil {
			continue
		}
		if err := p.blob(ctx, desc, l.Compressed); err != nil {
			return "", err
		}
		return "Pushed", nil
	}
	if desc.MediaType.IsLayer() && !compressed(desc.MediaType) && desc.Digest == img.Layers[i] {
		// An uncompressed blob is the tar the store rebuilds byte for byte.
		diffID := img.Layers[i]
		if err := p.blob(ctx, desc, func() (io.ReadCloser, error) { return p.s.LayerTar(diffID) }); err != nil {
			return "", err
		}
		return "Pushed", nil
	}
	return "", errNoBlob
}

func compressed(mt types.MediaType) bool {
	switch mt {
	case types.DockerUncompressedLayer, types.OCIUncompressedLayer, types.OCIUncompressedRestrictedLayer:
		return false
	}
	return true
}

// mount links blob d from repository from into the target.
func (p *pusher) mount(ctx context.Context, d v1.Hash, from name.Repository) (bool, error) {
	// A mount needs a token for pushing here and pulling there.
	key := p.target.Name() + " from " + from.Name()
	sess, err := p.cachedSession(ctx, key, p.target, p.target.Scope(transport.PushScope), from.Scope(transport.PullScope))
	if err != nil {
		return false, err
	}
	return sess.mount(ctx, d, from.RepositoryStr())
}

// session is the blob client for repo: push scope on the target, pull
// scope elsewhere.
func (p *pusher) session(ctx context.Context, repo name.Repository) (*session, error) {
	scope := repo.Scope(transport.PullScope)
	if repo.Name() == p.target.Name() {
		scope = repo.Scope(transport.PushScope)
	}
	return p.cachedSession(ctx, repo.Name(), repo, scope)
}

// cachedSession is the session stored under key, made once for repo and
// scopes. Layers pushed at once share it: one token per repository.
func (p *pusher) cachedSession(ctx context.Context, key string, repo name.Repository, scopes ...string) (*session, error) {
	p.mu.Lock()
	so, ok := p.sessions[key]
	if !ok {
		so = &sessionOnce{}
		p.sessions[key] = so
	}
	p.mu.Unlock()
	so.once.Do(func() { so.s, so.err = newSession(ctx, p.rt, repo, scopes...) })
	return so.s, so.err
}

// recompressed pushes img's layers compressed again (gzip) and returns
// the manifest that names them. A layer whose blob the store recorded
// (see store.LayerBlob) is looked for at the destination, then mounted
// from a repository of the same registry that holds it; only a layer with
// neither is compressed, once, straight into its upload (streamedLayer).
// Layers done before are reported again only if they were not.
func (p *pusher) recompressed(ctx context.Context, dst *session, img *store.Image, config []byte, ids []string, done []bool) ([]byte, types.MediaType, error) {
	v, err := p.s.V1Image(img)
	if err != nil {
		return nil, "", err
	}
	layers, err := v.Layers()
	if err != nil {
		return nil, "", err
	}
	descs := make([]v1.Descriptor, len(layers))
	err = eachLayer(len(layers), func(i int) error {
		status, err := p.compressedLayer(ctx, dst, img.Layers[i], layers[i], &descs[i])
		if err != nil {
			return fmt.Errorf("layer %s: %w", ids[i], err)
		}
		if !done[i] {
			p.say("%s: %s", ids[i], status)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	man := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.DockerManifestSchema2,
		Config:        v1.Descriptor{MediaType: types.DockerConfigJSON, Size: int64(len(config)), Digest: img.ID},
		Layers:        descs,
	}
	raw, err := json.Marshal(man)
	return raw, man.MediaType, err
}

// compressedLayer brings the layer diffID (l) to the target as a
// compressed blob, describes the blob in desc and says how.
func (p *pusher) compressedLayer(ctx context.Context, dst *session, diffID v1.Hash, l v1.Layer, desc *v1.Descriptor) (string, error) {
	if status, ok := p.recordedLayer(ctx, dst, diffID, desc); ok {
		p.record(diffID, *desc)
		return status, nil
	}
	sl := &streamedLayer{open: l.Uncompressed}
	trace.Mark("push: upload " + diffID.Hex[:12])
	sl.start()
	defer sl.abandon()
	if err := p.remote.Upload(ctx, p.target, sl); err != nil {
		return "", err
	}
	trace.Mark("push: uploaded " + diffID.Hex[:12])
	d, err := sl.descriptor()
	if err != nil {
		return "", err
	}
	*desc = d
	p.record(diffID, d)
	return "Pushed", nil
}

// record notes that the target holds blob desc of layer diffID. It is a
// hint (see store.LayerBlob): a record that cannot be written fails no
// push.
func (p *pusher) record(diffID v1.Hash, desc v1.Descriptor) {
	_ = p.s.RecordLayerBlob(diffID, desc, store.SourceRepo(p.target))
}

// recordedLayer brings the blob the store recorded for layer diffID to the
// target without compressing: it is there already, or it is mounted from
// a recorded repository of the same registry. ok is false when neither
// works (no record, the blob gone): the caller compresses the layer.
func (p *pusher) recordedLayer(ctx context.Context, dst *session, diffID v1.Hash, desc *v1.Descriptor) (status string, ok bool) {
	b, found := p.s.LayerBlob(diffID)
	// The manifest is Docker's: a gzip blob, whichever gzip media type it
	// was recorded under.
	if !found || (b.MediaType != types.DockerLayer && b.MediaType != types.OCILayer) {
		return "", false
	}
	*desc = b.Descriptor
	desc.MediaType = types.DockerLayer
	if has, err := dst.hasBlob(ctx, b.Digest); err == nil && has {
		return "Layer already exists", true
	}
	for _, src := range b.Repos {
		repo, err := store.ParseSourceRepo(src)
		if err != nil || repo.Name() == p.target.Name() || repo.RegistryStr() != p.target.RegistryStr() {
			continue
		}
		if mounted, err := p.mount(ctx, b.Digest, repo); err == nil && mounted {
			return "Mounted from " + repo.RepositoryStr(), true
		}
	}
	return "", false
}

// compress writes r gzipped to w at gzip's best speed, in blocks
// compressed on every core (gzipWriter), into output that depends only on
// the input: a fixed header with no name and no time, fixed-size blocks.
// A layer always gives the same blob and the same digest.
func compress(w io.Writer, r io.Reader) error {
	zw := newGzipWriter(w)
	if _, err := io.Copy(zw, r); err != nil {
		zw.fail(err)
		return err
	}
	return zw.Close()
}

// blob uploads desc's bytes from open unless the target has them: the
// upload asks first (HEAD) for a blob of known digest.
func (p *pusher) blob(ctx context.Context, desc v1.Descriptor, open func() (io.ReadCloser, error)) error {
	return p.remote.Upload(ctx, p.target, &blobLayer{desc: desc, open: open})
}

// blobLayer is a blob known by its descriptor, read from anywhere; the
// registry checks the bytes against the digest when the upload ends.
type blobLayer struct {
	desc v1.Descriptor
	open func() (io.ReadCloser, error)
}

func (l *blobLayer) Digest() (v1.Hash, error) { return l.desc.Digest, nil }
func (l *blobLayer) DiffID() (v1.Hash, error) {
	return v1.Hash{}, errNoDiffID
}
func (l *blobLayer) Compressed() (io.ReadCloser, error) { return l.open() }
func (l *blobLayer) Uncompressed() (io.ReadCloser, error) {
	return nil, errors.New("uncompressed pushed blob: not needed")
}
func (l *blobLayer) Size() (int64, error)                { return l.desc.Size, nil }
func (l *blobLayer) MediaType() (types.MediaType, error) { return l.desc.MediaType, nil }

// rawManifest is a manifest pushed as the exact bytes it was pulled as.
type rawManifest struct {
	raw []byte
	mt  types.MediaType
}

func (m rawManifest) RawManifest() ([]byte, error)        { return m.raw, nil }
func (m rawManifest) MediaType() (types.MediaType, error) { return m.mt, nil }
