package store

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// commitFill makes the layer directory with one file, as a build step's
// fill does (the directory does not exist yet).
func commitFill(content string) func(string, io.Writer) (v1.Hash, error) {
	return func(dir string, meta io.Writer) (v1.Hash, error) {
		if err := os.Mkdir(dir, 0o755); err != nil {
			return v1.Hash{}, err
		}
		if err := os.WriteFile(filepath.Join(dir, "file"), []byte(content), 0o644); err != nil {
			return v1.Hash{}, err
		}
		return sha(content), nil
	}
}

func TestCommitLayer(t *testing.T) {
	s := newStore(t)
	d, err := s.CommitLayer(commitFill("hello"))
	if err != nil {
		t.Fatal(err)
	}
	if d != sha("hello") || !s.HasLayer(d) {
		t.Fatalf("CommitLayer = %s, HasLayer %v; want %s stored", d, s.HasLayer(d), sha("hello"))
	}
	if n, err := s.layerBytes(d.Hex); err != nil || n != 5 {
		t.Errorf("layer size = %d, %v; want 5", n, err)
	}
	// The same layer again: the new tree is dropped, the stored one kept.
	if d2, err := s.CommitLayer(commitFill("hello")); err != nil || d2 != d {
		t.Errorf("second CommitLayer = %s, %v; want %s", d2, err, d)
	}
	if diff := cmp.Diff([]string{}, dirNames(t, filepath.Join(s.Root(), "tmp"))); diff != "" {
		t.Errorf("tmp/ not empty (-want +got):\n%s", diff)
	}
}

// TestCommitLayerFailureLeavesNothing: a fill that fails, or that names a
// digest that is no sha256 (a path out of layers/), stores nothing.
func TestCommitLayerFailureLeavesNothing(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name string
		fill func(string, io.Writer) (v1.Hash, error)
	}{
		{"fill error", func(dir string, _ io.Writer) (v1.Hash, error) {
			os.Mkdir(dir, 0o755)
			return v1.Hash{}, boom
		}},
		{"bad digest", func(dir string, _ io.Writer) (v1.Hash, error) {
			os.Mkdir(dir, 0o755)
			return v1.Hash{Algorithm: "sha256", Hex: "../../x"}, nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			if _, err := s.CommitLayer(tc.fill); err == nil {
				t.Fatal("CommitLayer succeeded")
			}
			if diff := cmp.Diff([]string{}, dirNames(t, filepath.Join(s.Root(), "layers"))); diff != "" {
				t.Errorf("layers/ not empty (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{}, dirNames(t, filepath.Join(s.Root(), "tmp"))); diff != "" {
				t.Errorf("tmp/ not empty (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCacheEntryWithoutManifest: a step whose layers are not compressed
// has no manifest; its entry must still be found (an empty hash written
// as ":" made every lookup fail).
func TestCacheEntryWithoutManifest(t *testing.T) {
	s := newStore(t)
	l := putLayer(t, s, "layer")
	cfg, err := s.PutBlob(configFor(t, time.Unix(0, 0), l))
	if err != nil {
		t.Fatal(err)
	}
	key := sha("key").Hex
	if err := s.PutCache(key, CacheEntry{Config: cfg, Layers: []v1.Hash{l}}); err != nil {
		t.Fatal(err)
	}
	e := s.Cache(key)
	if e == nil {
		t.Fatal("Cache = nil for an entry without a manifest")
	}
	if e.Manifest != (v1.Hash{}) || e.Config != cfg {
		t.Errorf("Cache = %+v", e)
	}
}

// TestCommitLayerRecordedSize: a fill whose unpacker tells the size
// (fs.SizeRecorder) has it recorded without a walk of the tree.
func TestCommitLayerRecordedSize(t *testing.T) {
	s := newStore(t)
	fill := commitFill("hello")
	d, err := s.CommitLayer(func(dir string, meta io.Writer) (v1.Hash, error) {
		meta.(interface{ RecordSize(int64) }).RecordSize(42)
		return fill(dir, meta)
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.layerBytes(d.Hex); err != nil || n != 42 {
		t.Errorf("layer size = %d, %v; want the recorded 42", n, err)
	}
}

// TestStepLayer: the record of a step's last layer names a stored layer
// or nothing: not a layer gone from the store, not a torn record, and
// nothing after the build cache is pruned.
func TestStepLayer(t *testing.T) {
	s := newStore(t)
	key := sha("step").Hex
	if _, ok := s.StepLayer(key); ok {
		t.Fatal("a record before any was written")
	}
	d, err := s.CommitLayer(commitFill("hello"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetStepLayer(key, d); err != nil {
		t.Fatal(err)
	}
	if got, ok := s.StepLayer(key); !ok || got != d {
		t.Errorf("StepLayer = %s, %v; want %s", got, ok, d)
	}
	if err := s.SetStepLayer("../x", d); err == nil {
		t.Error("a key that is no hex sha256 was recorded")
	}
	if err := s.SetStepLayer(sha("other").Hex, sha("not stored")); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.StepLayer(sha("other").Hex); ok {
		t.Error("a record of a layer the store does not have was used")
	}
	if err := os.WriteFile(s.stepLayerPath(key), []byte(d.Hex[:20]), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.StepLayer(key); ok {
		t.Error("a torn record was used")
	}
	if err := s.SetStepLayer(key, d); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.PruneCache(time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.StepLayer(key); ok {
		t.Error("a record outlived builder prune")
	}
}
