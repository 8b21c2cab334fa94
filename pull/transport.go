package pull

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"pocket/reference"
	"pocket/store"
)

// Transports podman and skopeo name an image by that are local files.
const (
	DockerArchive = "docker-archive" // a `docker save` tar
	OCIArchive    = "oci-archive"    // a tar of an OCI image layout
	OCILayout     = "oci"            // an OCI image layout directory
)

// Archive names one image inside an archive or layout, in the grammar of
// containers/image's transports:
//
//	docker-archive:PATH[:NAME[:TAG]|:@INDEX]
//	oci-archive:PATH[:REF]
//	oci:DIR[:REF]
//
// PATH ends at the first colon, as in containers/image. REF of the OCI
// transports is the org.opencontainers.image.ref.name annotation (often a
// bare tag) or a full name; with no REF or INDEX the archive must hold
// exactly one image.
type Archive struct {
	Transport string
	Path      string
	Ref       string
	Index     int // docker-archive's @INDEX; -1 when not given
}

// ParseArchive reads arg as an archive transport. ok is false when arg
// names no such transport (it is an image reference or ID instead).
func ParseArchive(arg string) (a Archive, ok bool, err error) {
	transport, rest, found := strings.Cut(arg, ":")
	if !found {
		return Archive{}, false, nil
	}
	switch transport {
	case DockerArchive, OCIArchive, OCILayout:
	default:
		return Archive{}, false, nil
	}
	a = Archive{Transport: transport, Index: -1}
	a.Path, a.Ref, _ = strings.Cut(rest, ":")
	if a.Path == "" {
		return a, true, fmt.Errorf("%w: %s: no path (hint: %s:PATH[:REF])", ErrBadTransport, arg, transport)
	}
	if transport == DockerArchive && strings.HasPrefix(a.Ref, "@") {
		n, err := strconv.Atoi(a.Ref[1:])
		if err != nil || n < 0 {
			return a, true, fmt.Errorf("%w: %s: %q is no image index (hint: @0 is the first image)", ErrBadTransport, arg, a.Ref)
		}
		a.Ref, a.Index = "", n
	} else if transport == DockerArchive && a.Ref != "" {
		if _, err := reference.Parse(a.Ref); err != nil {
			return a, true, fmt.Errorf("%w: %s: %v", ErrBadTransport, arg, err)
		}
	}
	return a, true, nil
}

// String spells a as it was given.
func (a Archive) String() string {
	s := a.Transport + ":" + a.Path
	switch {
	case a.Index >= 0:
		s += ":@" + strconv.Itoa(a.Index)
	case a.Ref != "":
		s += ":" + a.Ref
	}
	return s
}

// FromArchive brings the image a names into s, with no registry: the same
// code as Load (its layers through the same checks as a pull's), for the
// one image only. Layers already in the store are not unpacked again, so
// a second run from the same archive costs an index of its tar headers.
// The image keeps the names the archive gives it, as podman does.
func FromArchive(ctx context.Context, s *store.Store, a Archive, o Options) (*store.Image, error) {
	img, err := fromArchive(ctx, s, a, o)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", a, err)
	}
	return img, nil
}

func fromArchive(ctx context.Context, s *store.Store, a Archive, o Options) (*store.Image, error) {
	release, err := s.Hold()
	if err != nil {
		return nil, err
	}
	defer release()
	b, cleanup, err := openArchive(a.Path)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	if _, dir := b.(dirBlobs); dir != (a.Transport == OCILayout) {
		return nil, fmt.Errorf("%w: %s is not %s (hint: %s: takes a layout directory, %s: and %s: a tar)",
			ErrBadArchive, a.Path, wantOf(a.Transport), OCILayout, DockerArchive, OCIArchive)
	}
	// As load: bars on a terminal, nothing otherwise.
	var prog progress = quietProgress{}
	if p, ok := newProgress(o.Out, o.Quiet).(*barProgress); ok {
		prog = p
		defer p.wait()
	}
	switch a.Transport {
	case DockerArchive:
		if !b.has("manifest.json") {
			return nil, fmt.Errorf("%w: no manifest.json (hint: a `docker save` tar; for an OCI archive use %s:)", ErrBadArchive, OCIArchive)
		}
		return dockerArchiveImage(ctx, s, b, a, prog)
	default:
		if !b.has("index.json") {
			return nil, fmt.Errorf("%w: no index.json (hint: an OCI layout; for a `docker save` tar use %s:)", ErrBadArchive, DockerArchive)
		}
		return ociArchiveImage(ctx, s, b, a, o.Platform, prog)
	}
}

func wantOf(transport string) string {
	if transport == OCILayout {
		return "a directory"
	}
	return "a tar file"
}

// dockerArchiveImage picks the entry of manifest.json a names: by one of
// its RepoTags, by @INDEX, or the only one.
func dockerArchiveImage(ctx context.Context, s *store.Store, b blobs, a Archive, prog progress) (*store.Image, error) {
	raw, err := readMeta(b, "manifest.json")
	if err != nil {
		return nil, err
	}
	var entries []dockerEntry
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, fmt.Errorf("%w: manifest.json: %v", ErrBadArchive, err)
	}
	var pick *dockerEntry
	switch {
	case a.Index >= 0:
		if a.Index >= len(entries) {
			return nil, fmt.Errorf("%w: no image @%d, the archive holds %d", ErrArchiveImage, a.Index, len(entries))
		}
		pick = &entries[a.Index]
	case a.Ref != "":
		want, err := reference.Parse(a.Ref)
		if err != nil {
			return nil, err
		}
		var have []string
		for i, e := range entries {
			for _, t := range e.RepoTags {
				if r, err := reference.Parse(t); err == nil && reference.Canonical(r) == reference.Canonical(want) {
					pick = &entries[i]
				}
				have = append(have, t)
			}
		}
		if pick == nil {
			return nil, fmt.Errorf("%w: no image %s (hint: the archive holds %s)", ErrArchiveImage, reference.Familiar(want), listOr(have))
		}
	default:
		if len(entries) != 1 {
			return nil, fmt.Errorf("%w: it holds %d images (hint: name one, as %s:%s:NAME:TAG or :@0)", ErrArchiveImage, len(entries), a.Transport, a.Path)
		}
		pick = &entries[0]
	}
	if _, err := loadDockerEntry(ctx, s, b, *pick, prog); err != nil {
		return nil, err
	}
	cfgRaw, err := readMeta(b, pick.Config)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(cfgRaw)
	return s.ImageByID(v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])})
}

// ociArchiveImage picks the manifest of index.json a names: by its
// ref.name annotation (a tag, as skopeo writes it, or a full name) or
// containerd's image name, or the only one.
func ociArchiveImage(ctx context.Context, s *store.Store, b blobs, a Archive, platform string, prog progress) (*store.Image, error) {
	raw, err := readMeta(b, "index.json")
	if err != nil {
		return nil, err
	}
	idx, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: index.json: %v", ErrBadArchive, err)
	}
	want, err := wantPlatform(platform)
	if err != nil {
		return nil, err
	}
	var pick *v1.Descriptor
	var have []string
	for i, d := range idx.Manifests {
		if n := d.Annotations[annotationRefName]; n != "" {
			have = append(have, n)
		}
		if a.Ref != "" && refNames(d, a.Ref) {
			pick = &idx.Manifests[i]
			break
		}
	}
	switch {
	case pick == nil && a.Ref != "":
		return nil, fmt.Errorf("%w: no image %s (hint: the layout names %s)", ErrArchiveImage, a.Ref, listOr(have))
	case pick == nil && len(idx.Manifests) != 1:
		return nil, fmt.Errorf("%w: it holds %d images (hint: name one, as %s:%s:REF)", ErrArchiveImage, len(idx.Manifests), a.Transport, a.Path)
	case pick == nil:
		pick = &idx.Manifests[0]
	}
	tags, err := layoutNames(*pick)
	if err != nil {
		return nil, err
	}
	d, err := platformManifest(b, *pick, want)
	if err != nil {
		return nil, err
	}
	if !d.MediaType.IsImage() {
		return nil, fmt.Errorf("%w: %s is a %s, not an image", ErrArchiveImage, d.Digest, d.MediaType)
	}
	id, err := loadLayoutImage(ctx, s, b, d, tags, prog)
	if err != nil {
		return nil, err
	}
	return s.ImageByID(id)
}

// refNames reports whether the descriptor is the one ref names: its
// ref.name annotation as written, or either annotation as an image name.
func refNames(d v1.Descriptor, ref string) bool {
	if d.Annotations[annotationRefName] == ref || d.Annotations[annotationContainerd] == ref {
		return true
	}
	want, err := reference.Parse(ref)
	if err != nil {
		return false
	}
	for _, k := range []string{annotationContainerd, annotationRefName} {
		if r, err := reference.Parse(d.Annotations[k]); err == nil && strings.ContainsAny(d.Annotations[k], ":/") &&
			reference.Canonical(r) == reference.Canonical(want) {
			return true
		}
	}
	return false
}

func listOr(names []string) string {
	if len(names) == 0 {
		return "no named image"
	}
	return strings.Join(names, ", ")
}
