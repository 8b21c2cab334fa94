package lockfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"pocket/reference"
)

// Name is the lockfile's file name when none is given.
const Name = "pocket.lock"

// version is the format written; a newer one is refused, not misread.
const version = 1

// File is one pocket.lock.
type File struct {
	Version int               `json:"lockfileVersion"`
	Images  map[string]*Entry `json:"images"`
}

// Entry pins one tag.
type Entry struct {
	Digest    v1.Hash            `json:"digest"`
	Platforms map[string]v1.Hash `json:"platforms,omitempty"`
}

// New is an empty lockfile.
func New() *File { return &File{Version: version, Images: map[string]*Entry{}} }

// Read reads the lockfile at path.
func Read(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("read lockfile %s: %w (hint: pocket lock IMAGE writes it)", path, err)
		}
		return nil, fmt.Errorf("read lockfile %s: %w", path, err)
	}
	return parse(path, data)
}

func parse(path string, data []byte) (*File, error) {
	f := New()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(f); err != nil {
		return nil, fmt.Errorf("read lockfile %s: %w: %v", path, ErrBadLockfile, err)
	}
	if f.Version != version {
		return nil, fmt.Errorf("read lockfile %s: %w: lockfileVersion %d (hint: this pocket reads version %d)", path, ErrBadLockfile, f.Version, version)
	}
	if f.Images == nil {
		f.Images = map[string]*Entry{}
	}
	for k, e := range f.Images {
		r, err := reference.Parse(k)
		if _, isTag := r.(name.Tag); err != nil || !isTag || reference.Canonical(r) != k {
			return nil, fmt.Errorf("read lockfile %s: %w: %q is no canonical NAME:TAG (hint: %s)", path, ErrBadLockfile, k, canonicalHint(k))
		}
		if e == nil || e.Digest.Algorithm != "sha256" {
			return nil, fmt.Errorf("read lockfile %s: %w: %s has no sha256 digest", path, ErrBadLockfile, k)
		}
	}
	return f, nil
}

func canonicalHint(k string) string {
	if r, err := reference.Parse(k); err == nil {
		return reference.Canonical(r)
	}
	return "as docker.io/library/alpine:3.20"
}

// ReadOrNew reads path, or starts an empty lockfile when there is none.
func ReadOrNew(path string) (*File, error) {
	f, err := Read(path)
	if errors.Is(err, fs.ErrNotExist) {
		return New(), nil
	}
	return f, err
}

// Write replaces the lockfile at path atomically, keys sorted, so that
// locking the same digests twice leaves the same bytes (and a clean diff).
func (f *File) Write(path string) error {
	f.Version = version
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write lockfile %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write lockfile %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write lockfile %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write lockfile %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write lockfile %s: %w", path, err)
	}
	return nil
}

// Set pins tag to e.
func (f *File) Set(tag name.Tag, e Entry) {
	f.Images[reference.Canonical(tag)] = &e
}

// Get is the entry pinning ref, if any.
func (f *File) Get(ref name.Reference) (*Entry, bool) {
	e, ok := f.Images[reference.Canonical(ref)]
	return e, ok
}

// Tags lists the pinned tags, sorted.
func (f *File) Tags() []name.Tag {
	keys := make([]string, 0, len(f.Images))
	for k := range f.Images {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	tags := make([]name.Tag, 0, len(keys))
	for _, k := range keys {
		if r, err := reference.Parse(k); err == nil {
			if t, ok := r.(name.Tag); ok {
				tags = append(tags, t)
			}
		}
	}
	return tags
}

// Resolve is the digest reference a tag is pinned to for platform: the
// platform's own manifest when the lock lists platforms, else the locked
// digest. A digest reference is already pinned and comes back as it is;
// a tag the file does not pin is an error wrapping ErrNotPinned. This is
// the one answer pull, run and build's FROM ask.
func (f *File) Resolve(ref name.Reference, platform v1.Platform) (name.Reference, error) {
	if _, ok := ref.(name.Digest); ok {
		return ref, nil
	}
	e, ok := f.Get(ref)
	if !ok {
		return nil, fmt.Errorf("%s: %w (hint: pocket lock %s)", reference.Familiar(ref), ErrNotPinned, reference.Familiar(ref))
	}
	d := e.Digest
	if len(e.Platforms) > 0 {
		pd, ok := e.Platforms[PlatformKey(platform)]
		if !ok {
			pd, ok = e.anyVariant(platform)
		}
		if !ok {
			have := make([]string, 0, len(e.Platforms))
			for k := range e.Platforms {
				have = append(have, k)
			}
			sort.Strings(have)
			return nil, fmt.Errorf("%s: %w for %s (hint: it pins %v; pocket lock --update %s)",
				reference.Familiar(ref), ErrNotPinned, PlatformKey(platform), have, reference.Familiar(ref))
		}
		d = pd
	}
	return ref.Context().Digest(d.String()), nil
}

// anyVariant finds the platform's entry when the variants are spelled
// apart: a host asking for "linux/arm64" takes the index's "linux/arm64/v8",
// and "linux/arm/v7" takes a plain "linux/arm".
func (e *Entry) anyVariant(p v1.Platform) (v1.Hash, bool) {
	if p.Variant != "" {
		d, ok := e.Platforms[p.OS+"/"+p.Architecture]
		return d, ok
	}
	keys := make([]string, 0, len(e.Platforms))
	for k := range e.Platforms {
		if strings.HasPrefix(k, p.OS+"/"+p.Architecture+"/") {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return v1.Hash{}, false
	}
	sort.Strings(keys)
	return e.Platforms[keys[0]], true
}

// PlatformKey spells a platform as the lockfile keys it: os/arch[/variant].
func PlatformKey(p v1.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}
