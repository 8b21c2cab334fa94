package store

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"pocket/reference"
)

var t0 = time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)

func mustRef(t *testing.T, s string) name.Reference {
	t.Helper()
	r, err := reference.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// addImage stores an image of the given layers (put first) created at
// t0+age, tagged tag (if not empty).
func addImage(t *testing.T, s *Store, tag string, age time.Duration, layers ...string) *Image {
	t.Helper()
	var ids []v1.Hash
	for _, l := range layers {
		ids = append(ids, putLayer(t, s, l))
	}
	var ref name.Reference
	if tag != "" {
		ref = mustRef(t, tag)
	}
	img, err := s.AddImage([]byte(`{"manifest":"`+strings.Join(layers, ",")+`"}`), configFor(t, t0.Add(age), ids...), ref)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestAddImage(t *testing.T) {
	s := newStore(t)
	img := addImage(t, s, "alpine:3.20", 0, "base", "top")
	if diff := cmp.Diff([]string{"docker.io/library/alpine:3.20"}, img.Names); diff != "" {
		t.Errorf("Names (-want +got):\n%s", diff)
	}
	if img.Size != int64(len("base")+len("top")) {
		t.Errorf("Size = %d, want 7", img.Size)
	}
	if !img.Created.Equal(t0) {
		t.Errorf("Created = %v, want %v", img.Created, t0)
	}
	cfg, err := s.Config(img)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(img.Layers, cfg.RootFS.DiffIDs); diff != "" {
		t.Errorf("config diffIDs (-want +got):\n%s", diff)
	}
	if _, err := s.Blob(img.Manifest); err != nil {
		t.Errorf("manifest blob: %v", err)
	}

	// The same image again, by digest twice: merged, the digest once.
	rd := "alpine@sha256:" + strings.Repeat("d", 64)
	cfgBytes, _ := s.Blob(img.ID)
	for range 2 {
		if _, err := s.AddImage(nil, cfgBytes, mustRef(t, "alpine:3"), mustRef(t, rd)); err != nil {
			t.Fatal(err)
		}
	}
	imgs, err := s.Images()
	if err != nil {
		t.Fatal(err)
	}
	want := []Image{{
		ID: img.ID, Manifest: img.Manifest, Layers: img.Layers, Created: t0, Size: 7, Added: img.Added,
		Names:   []string{"docker.io/library/alpine:3.20", "docker.io/library/alpine:3"},
		Digests: []string{"docker.io/library/alpine@sha256:" + strings.Repeat("d", 64)},
	}}
	if diff := cmp.Diff(want, imgs); diff != "" {
		t.Errorf("Images (-want +got):\n%s", diff)
	}

	// A layer that is not in the store is refused.
	_, err = s.AddImage(nil, configFor(t, t0, sha("missing")))
	if !errors.Is(err, ErrLayerUnknown) {
		t.Errorf("AddImage with a missing layer: err = %v, want ErrLayerUnknown", err)
	}
	if _, err := s.AddImage(nil, []byte("not json")); err == nil {
		t.Error("AddImage with a bad config succeeded")
	}
}

func TestTagMovesAndImagesOrder(t *testing.T) {
	s := newStore(t)
	old := addImage(t, s, "app:1", 0, "l1")
	newer := addImage(t, s, "app:1", time.Hour, "l2")
	if err := s.Tag("app:1", mustRef(t, "registry.example.com/app:prod")); err != nil {
		t.Fatal(err)
	}
	if err := s.Tag("app:1", mustRef(t, "app@sha256:"+strings.Repeat("a", 64))); !errors.Is(err, reference.ErrBadReference) {
		t.Errorf("Tag to a digest: err = %v, want ErrBadReference", err)
	}
	if err := s.Tag("nope", mustRef(t, "x")); !errors.Is(err, ErrImageUnknown) {
		t.Errorf("Tag of unknown image: err = %v, want ErrImageUnknown", err)
	}
	imgs, err := s.Images()
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		ID    v1.Hash
		Names []string
	}
	var got []row
	for _, img := range imgs {
		got = append(got, row{img.ID, img.Names})
	}
	want := []row{
		{newer.ID, []string{"docker.io/library/app:1", "registry.example.com/app:prod"}},
		{old.ID, []string{}}, // lost its last name: dangling, kept
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Images (-want +got):\n%s", diff)
	}
}

func TestFindImage(t *testing.T) {
	s := newStore(t)
	a := addImage(t, s, "alpine:3.20", 0, "a")
	b := addImage(t, s, "quay.io/org/tool", 0, "b")
	dg := "docker.io/library/alpine@sha256:" + strings.Repeat("e", 64)
	cfg, _ := s.Blob(a.ID)
	if _, err := s.AddImage(nil, cfg, mustRef(t, dg)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ref     string
		want    v1.Hash
		wantErr error
		msg     string
	}{
		{ref: "alpine:3.20", want: a.ID},
		{ref: "docker.io/library/alpine:3.20", want: a.ID},
		{ref: "index.docker.io/alpine:3.20", want: a.ID},
		{ref: "alpine@sha256:" + strings.Repeat("e", 64), want: a.ID},
		{ref: "quay.io/org/tool:latest", want: b.ID},
		{ref: "quay.io/org/tool", want: b.ID},
		{ref: a.ID.String(), want: a.ID},
		{ref: a.ID.Hex, want: a.ID},
		{ref: a.ID.Hex[:12], want: a.ID},
		{ref: "sha256:" + b.ID.Hex[:8], want: b.ID},
		{ref: "alpine", wantErr: ErrImageUnknown, msg: "no such image: alpine:latest"},
		{ref: "alpine:3.99", wantErr: ErrImageUnknown, msg: "no such image: alpine:3.99"},
		{ref: "Alpine", wantErr: ErrImageUnknown, msg: "no such image: Alpine"},
		{ref: "ffff" + strings.Repeat("0", 60), wantErr: ErrImageUnknown},
		{ref: "alpine@sha256:" + strings.Repeat("f", 64), wantErr: ErrImageUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			img, err := s.FindImage(tt.ref)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("FindImage(%q) err = %v, want %v", tt.ref, err, tt.wantErr)
				}
				if tt.msg != "" && err.Error() != tt.msg {
					t.Errorf("message %q, want %q", err, tt.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if img.ID != tt.want {
				t.Errorf("FindImage(%q) = %s, want %s", tt.ref, img.ID, tt.want)
			}
		})
	}
}

func TestFindImageAmbiguous(t *testing.T) {
	s := newStore(t)
	// Find two images whose IDs share a first hex digit.
	seen := map[byte]string{}
	for i := 0; ; i++ {
		img := addImage(t, s, "", time.Duration(i), "amb")
		if _, ok := seen[img.ID.Hex[0]]; ok {
			_, err := s.FindImage(img.ID.Hex[:1])
			if !errors.Is(err, ErrAmbiguous) {
				t.Fatalf("FindImage(%q) err = %v, want ErrAmbiguous", img.ID.Hex[:1], err)
			}
			return
		}
		seen[img.ID.Hex[0]] = img.ID.Hex
	}
}

func TestLayerGC(t *testing.T) {
	s := newStore(t)
	a := addImage(t, s, "a", 0, "shared", "only-a")
	b := addImage(t, s, "b", 0, "shared", "only-b")
	untagged, deleted, err := s.RemoveImage("a", false)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Untagged: a:latest"}, untagged); diff != "" {
		t.Errorf("untagged (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Deleted: " + a.ID.String()}, deleted); diff != "" {
		t.Errorf("deleted (-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		layer string
		want  bool
	}{{"shared", true}, {"only-a", false}, {"only-b", true}} {
		if got := s.HasLayer(sha(tt.layer)); got != tt.want {
			t.Errorf("HasLayer(%s) = %v, want %v", tt.layer, got, tt.want)
		}
	}
	if _, err := s.Blob(a.ID); err == nil {
		t.Error("config blob of the deleted image is still there")
	}
	if _, err := s.Blob(b.ID); err != nil {
		t.Errorf("config blob of the kept image: %v", err)
	}
	if diff := cmp.Diff([]string{}, dirNames(t, filepath.Join(s.Root(), "tmp"))); diff != "" {
		t.Errorf("tmp/ not empty (-want +got):\n%s", diff)
	}
}

// TestLookupImage: every spelling of Docker Hub names the same stored
// image. pull once counted registry-1.docker.io as Docker Hub and the store
// did not, so an image pulled by that name was not "busybox".
func TestLookupImage(t *testing.T) {
	s := newStore(t)
	bb := addImage(t, s, "registry-1.docker.io/library/busybox", 0, "bb")
	if diff := cmp.Diff([]string{"docker.io/library/busybox:latest"}, bb.Names); diff != "" {
		t.Errorf("Names (-want +got):\n%s", diff)
	}
	for _, ref := range []string{"busybox", "busybox:latest", "docker.io/library/busybox", "index.docker.io/busybox", "registry-1.docker.io/busybox:latest"} {
		img, err := s.LookupImage(mustRef(t, ref))
		if err != nil || img.ID != bb.ID {
			t.Errorf("LookupImage(%s) = %v, %v; want %s", ref, img, err, bb.ID)
		}
	}
	_, err := s.LookupImage(mustRef(t, "busybox:1"))
	if !errors.Is(err, ErrImageUnknown) || err.Error() != "no such image: busybox:1" {
		t.Errorf("LookupImage(busybox:1) err = %v, want no such image: busybox:1", err)
	}
	if img, err := s.ImageByID(bb.ID); err != nil || img.ID != bb.ID {
		t.Errorf("ImageByID(%s) = %v, %v", bb.ID, img, err)
	}
	if _, err := s.ImageByID(sha("none")); !errors.Is(err, ErrImageUnknown) {
		t.Errorf("ImageByID of a missing image: err = %v, want ErrImageUnknown", err)
	}
	if img, err := s.LookupID(bb.ID.Hex[:12]); err != nil || img.ID != bb.ID {
		t.Errorf("LookupID(%s) = %v, %v", bb.ID.Hex[:12], img, err)
	}
	if _, err := s.LookupID("busybox"); !errors.Is(err, ErrImageUnknown) {
		t.Errorf("LookupID(busybox) err = %v, want ErrImageUnknown", err)
	}
}
