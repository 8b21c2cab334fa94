package pull

import (
	"context"
	"errors"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"pocket/lockfile"
)

// TestLockPinsAndUpdates locks a single image and an index, moves both
// tags on the registry, and checks that a lock keeps the old digests
// until --update, and that a pull through the lock gets the locked bytes.
func TestLockPinsAndUpdates(t *testing.T) {
	reg := newRegistry(t)
	mirror := Registries{Mirrors: []string{"http://" + reg.host}}
	a, b := simpleImage(t, "lock-a", 1), simpleImage(t, "lock-b", 1)
	other := imageOf(t, "s390x", layerOf(t, "gzip", map[string]string{"s": "s390x"}))
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: a, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: runtime.GOARCH}}},
		mutate.IndexAddendum{Add: other, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "s390x"}}},
		mutate.IndexAddendum{Add: b, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"}}},
	)
	reg.push(t, "library/single:1", a)
	reg.push(t, "library/multi:1", idx)
	single, multi := mustRef(t, "single:1").(name.Tag), mustRef(t, "multi:1").(name.Tag)

	f := lockfile.New()
	asked, err := Lock(context.Background(), f, []name.Tag{single, multi}, false, mirror)
	if err != nil {
		t.Fatal(err)
	}
	if len(asked) != 2 {
		t.Errorf("asked about %v, want both", asked)
	}
	digest := func(x interface{ Digest() (v1.Hash, error) }) v1.Hash {
		d, err := x.Digest()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	want := map[string]*lockfile.Entry{
		"docker.io/library/single:1": {Digest: digest(a)},
		"docker.io/library/multi:1": {Digest: digest(idx), Platforms: map[string]v1.Hash{
			"linux/" + runtime.GOARCH: digest(a), "linux/s390x": digest(other)}},
	}
	if diff := cmp.Diff(want, f.Images); diff != "" {
		t.Errorf("lock (-want +got):\n%s", diff)
	}

	// The tags move on the registry.
	reg.push(t, "library/single:1", b)
	if asked, err := Lock(context.Background(), f, []name.Tag{single}, false, mirror); err != nil || len(asked) != 0 {
		t.Errorf("Lock without update asked %v, %v; want nothing asked", asked, err)
	}
	if e, _ := f.Get(single); e.Digest != digest(a) {
		t.Errorf("lock without update moved single:1 to %s", e.Digest)
	}
	// A pull through the lock gets what was locked, not the moved tag.
	p, _ := Platform("")
	pinned, err := f.Resolve(single, p)
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t)
	img, err := Pull(context.Background(), s, pinned, Options{Registries: mirror})
	if err != nil {
		t.Fatal(err)
	}
	if img.ID != configDigest(t, a) {
		t.Errorf("pull through the lock got %s, want the locked %s", img.ID, configDigest(t, a))
	}
	if _, err := Lock(context.Background(), f, nil, true, mirror); err != nil {
		t.Fatal(err)
	}
	if e, _ := f.Get(single); e.Digest != digest(b) {
		t.Errorf("lock --update left single:1 at %s, want %s", e.Digest, digest(b))
	}
	if _, err := Lock(context.Background(), f, []name.Tag{mustRef(t, "nothere:1").(name.Tag)}, false, mirror); !errors.Is(err, ErrManifestUnknown) && !errors.Is(err, ErrRepositoryUnknown) {
		t.Errorf("Lock of a missing tag = %v", err)
	}
}
