package store

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func TestLayerBlobRecord(t *testing.T) {
	s := newStore(t)
	id := putLayer(t, s, "recorded layer")
	blob := v1.Descriptor{MediaType: types.DockerLayer, Size: 42, Digest: sha("blob")}
	other := v1.Descriptor{MediaType: types.DockerLayer, Size: 43, Digest: sha("other blob")}
	if _, ok := s.LayerBlob(id); ok {
		t.Fatal("a record before any")
	}
	steps := []struct {
		desc v1.Descriptor
		repo string
		want LayerBlob
	}{
		{blob, "r/a", LayerBlob{Descriptor: blob, Repos: []string{"r/a"}}},
		{blob, "r/b", LayerBlob{Descriptor: blob, Repos: []string{"r/b", "r/a"}}},
		{blob, "r/a", LayerBlob{Descriptor: blob, Repos: []string{"r/a", "r/b"}}},
		// Another blob of the layer replaces the record, its
		// repositories with it.
		{other, "r/c", LayerBlob{Descriptor: other, Repos: []string{"r/c"}}},
	}
	for _, st := range steps {
		if err := s.RecordLayerBlob(id, st.desc, st.repo); err != nil {
			t.Fatal(err)
		}
		got, ok := s.LayerBlob(id)
		if !ok {
			t.Fatalf("no record after recording %s in %s", st.desc.Digest, st.repo)
		}
		if diff := cmp.Diff(st.want, got); diff != "" {
			t.Errorf("after %s in %s (-want +got):\n%s", st.desc.Digest, st.repo, diff)
		}
	}
	// A torn record is no record.
	if err := os.WriteFile(s.path("layers", id.Hex, layerBlob), []byte(`{"digest":`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.LayerBlob(id); ok {
		t.Error("a torn record was read")
	}
	// Nothing is recorded for a layer the store does not have.
	if err := s.RecordLayerBlob(sha("absent"), blob, "r/a"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.path("layers", sha("absent").Hex)); err == nil {
		t.Error("a record made a layer directory")
	}
	if left := dirNames(t, s.path("tmp")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestSetManifest: a pushed manifest becomes the image's, with the
// repository it went to as its only source (the old sources vouched for
// the old manifest's blobs); the same manifest pushed elsewhere adds a
// source.
func TestSetManifest(t *testing.T) {
	s := newStore(t)
	id := putLayer(t, s, "layer")
	cfg := configFor(t, time.Unix(1700000000, 0), id)
	img, err := s.AddImage([]byte(`{"pulled":1}`), cfg, mustRef(t, "sm"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddSource(img.ID, img.Manifest, "docker://example.com/pulled"); err != nil {
		t.Fatal(err)
	}
	pushed := []byte(`{"pushed":1}`)
	for _, tt := range []struct {
		repo string
		want []string
	}{
		{"docker://example.com/a", []string{"docker://example.com/a"}},
		{"docker://example.com/b", []string{"docker://example.com/a", "docker://example.com/b"}},
		{"docker://example.com/b", []string{"docker://example.com/a", "docker://example.com/b"}},
	} {
		if err := s.SetManifest(img.ID, pushed, tt.repo); err != nil {
			t.Fatal(err)
		}
		got, err := s.LookupImage(mustRef(t, "sm"))
		if err != nil {
			t.Fatal(err)
		}
		if got.Manifest != sha(string(pushed)) {
			t.Errorf("manifest %s, want the pushed one", got.Manifest)
		}
		if diff := cmp.Diff(tt.want, got.Sources); diff != "" {
			t.Errorf("sources after a push to %s (-want +got):\n%s", tt.repo, diff)
		}
		if b, err := s.Blob(got.Manifest); err != nil || !bytes.Equal(b, pushed) {
			t.Errorf("manifest blob: %q, %v", b, err)
		}
	}
}
