package pull

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"pocket/reference"
	"pocket/store"
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
	release, err := s.Hold()
	if err != nil {
		return err
	}
	defer release()
	eps, err := endpoints(ref, Registries{Insecure: o.Insecure})
	if err != nil {
		return err
	}
	target := eps[len(eps)-1].ref.Context()
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
	fmt.Fprintf(out, "The push refers to repository [%s]\n", reference.CanonicalRepo(ref.Context()))
	p := &pusher{s: s, target: target, out: out, warn: o.Err, sessions: map[string]*session{}}
	if p.remote, err = remote.NewPusher(remoteOptions(ctx)...); err != nil {
		return err
	}
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

// pusher pushes images to one repository.
type pusher struct {
	s        *store.Store
	target   name.Repository
	remote   *remote.Pusher
	out      io.Writer
	warn     io.Writer
	sessions map[string]*session // by repository, for blob checks
}

// errNoBlob means no known repository holds a layer's original blob.
var errNoBlob = errors.New("no source for the original blob")

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
		fmt.Fprintf(p.out, "%s: Preparing\n", ids[i])
	}
	dst, err := p.session(ctx, p.target)
	if err != nil {
		return v1.Hash{}, 0, err
	}
	done := make([]bool, len(img.Layers))
	if man != nil {
		for i, desc := range man.Layers {
			status, err := p.originalLayer(ctx, dst, img, i, desc)
			if errors.Is(err, errNoBlob) {
				fmt.Fprintf(p.warn, "WARNING: layer %s: %v; compressing the image's layers again, which gives it a new manifest digest\n", ids[i], err)
				man = nil
				break
			}
			if err != nil {
				return v1.Hash{}, 0, fmt.Errorf("layer %s: %w", ids[i], err)
			}
			fmt.Fprintf(p.out, "%s: %s\n", ids[i], status)
			done[i] = true
		}
	}
	mt := types.MediaType("")
	if man == nil {
		if raw, mt, err = p.recompressed(ctx, dst, img, ids, done); err != nil {
			return v1.Hash{}, 0, err
		}
	} else {
		mt = man.MediaType
	}
	cfgDesc := v1.Descriptor{Digest: img.ID, Size: int64(len(config)), MediaType: types.DockerConfigJSON}
	if err := p.blob(ctx, dst, cfgDesc, func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(config)), nil }); err != nil {
		return v1.Hash{}, 0, fmt.Errorf("image config: %w", err)
	}
	if err := p.remote.Put(ctx, tag, rawManifest{raw: raw, mt: mt}); err != nil {
		return v1.Hash{}, 0, err
	}
	d, size, _ := v1.SHA256(bytes.NewReader(raw))
	if man == nil {
		// The new manifest becomes the image's, so the next push of it
		// anywhere gives the same digest.
		if _, err := p.s.AddImage(raw, config); err != nil {
			return v1.Hash{}, 0, err
		}
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
		if err := p.blob(ctx, dst, desc, l.Compressed); err != nil {
			return "", err
		}
		return "Pushed", nil
	}
	if desc.MediaType.IsLayer() && !compressed(desc.MediaType) && desc.Digest == img.Layers[i] {
		// An uncompressed blob is the tar the store rebuilds byte for byte.
		diffID := img.Layers[i]
		if err := p.blob(ctx, dst, desc, func() (io.ReadCloser, error) { return p.s.LayerTar(diffID) }); err != nil {
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
	sess, ok := p.sessions[key]
	if !ok {
		var err error
		sess, err = newSession(ctx, p.target, p.target.Scope(transport.PushScope), from.Scope(transport.PullScope))
		if err != nil {
			return false, err
		}
		p.sessions[key] = sess
	}
	return sess.mount(ctx, d, from.RepositoryStr())
}

// session is the blob client for repo: push scope on the target, pull
// scope elsewhere.
func (p *pusher) session(ctx context.Context, repo name.Repository) (*session, error) {
	if s, ok := p.sessions[repo.Name()]; ok {
		return s, nil
	}
	scope := repo.Scope(transport.PullScope)
	if repo.Name() == p.target.Name() {
		scope = repo.Scope(transport.PushScope)
	}
	s, err := newSession(ctx, repo, scope)
	if err != nil {
		return nil, err
	}
	p.sessions[repo.Name()] = s
	return s, nil
}

// recompressed pushes img's layers compressed again (the store's V1Image)
// and returns the manifest that names them. Layers done before are
// reported again only if they were not.
func (p *pusher) recompressed(ctx context.Context, dst *session, img *store.Image, ids []string, done []bool) ([]byte, types.MediaType, error) {
	v, err := p.s.V1Image(img)
	if err != nil {
		return nil, "", err
	}
	layers, err := v.Layers()
	if err != nil {
		return nil, "", err
	}
	for i, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return nil, "", fmt.Errorf("layer %s: %w", ids[i], err)
		}
		ok, err := dst.hasBlob(ctx, d)
		if err != nil {
			return nil, "", fmt.Errorf("layer %s: %w", ids[i], err)
		}
		status := "Layer already exists"
		if !ok {
			if err := p.remote.Upload(ctx, p.target, l); err != nil {
				return nil, "", fmt.Errorf("layer %s: %w", ids[i], err)
			}
			status = "Pushed"
		}
		if !done[i] {
			fmt.Fprintf(p.out, "%s: %s\n", ids[i], status)
		}
	}
	raw, err := v.RawManifest()
	if err != nil {
		return nil, "", err
	}
	mt, err := v.MediaType()
	return raw, mt, err
}

// blob uploads desc's bytes from open unless the target has them.
func (p *pusher) blob(ctx context.Context, dst *session, desc v1.Descriptor, open func() (io.ReadCloser, error)) error {
	if ok, err := dst.hasBlob(ctx, desc.Digest); err != nil || ok {
		return err
	}
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
	return v1.Hash{}, errors.New("diffID of a pushed blob: not needed")
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
