package pull

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"pocket/store"
)

// A registry can lose a blob that a tagged manifest references (the API's
// DELETE, an operator, storage): a re-push then uploads it again, as
// Docker's does, and says so, though the tag names the same manifest.
func TestRepushUploadsLostBlob(t *testing.T) {
	for _, tc := range []struct {
		name string
		lost func(img *store.Image, layers []string) string // the blob lost
		id   int                                            // the layer that says Pushed, or -1
	}{
		{name: "layer", lost: func(_ *store.Image, layers []string) string { return layers[1] }, id: 1},
		{name: "config", lost: func(img *store.Image, _ []string) string { return img.ID.String() }, id: -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, dst := newRegistry(t), newRegistry(t)
			img := simpleImage(t, "lost-"+tc.name, 3)
			src.push(t, "library/app:1", img)
			s := openStore(t)
			if _, err := Pull(context.Background(), s, mustRef(t, src.host+"/library/app:1"), Options{}); err != nil {
				t.Fatal(err)
			}
			ref := dst.host + "/team/app:1"
			if err := s.Tag(src.host+"/library/app:1", mustRef(t, ref)); err != nil {
				t.Fatal(err)
			}
			if out, err := push(t, s, ref, PushOptions{}); err != nil {
				t.Fatalf("push: %v\n%s", err, out)
			}
			stored, err := s.LookupImage(mustRef(t, ref))
			if err != nil {
				t.Fatal(err)
			}
			m, err := img.Manifest()
			if err != nil {
				t.Fatal(err)
			}
			var layers []string
			for _, l := range m.Layers {
				layers = append(layers, l.Digest.String())
			}
			digest := tc.lost(stored, layers)
			lost := "/v2/team/app/blobs/" + digest
			// The registry answers for the blob as if it were gone until
			// it is uploaded again.
			var uploaded atomic.Bool
			dst.setHook(func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method == http.MethodPut && r.URL.Query().Get("digest") == digest {
					uploaded.Store(true)
				}
				if r.Method == http.MethodHead && r.URL.Path == lost && !uploaded.Load() {
					w.WriteHeader(http.StatusNotFound)
					return true
				}
				return false
			})
			dst.mu.Lock()
			dst.seen = nil
			dst.mu.Unlock()

			out, err := push(t, s, ref, PushOptions{})
			if err != nil {
				t.Fatalf("re-push: %v\n%s", err, out)
			}
			if !uploaded.Load() {
				t.Errorf("re-push did not upload the lost blob %s:\n%s", lost, out)
			}
			ids := diffIDs(t, img)
			for i := range ids {
				want := "Layer already exists"
				if i == tc.id {
					want = "Pushed"
				}
				wantStatus(t, out, ids[i:i+1], want)
			}
			want, err := img.Digest()
			if err != nil {
				t.Fatal(err)
			}
			if got := manifestDigest(t, ref); got != want {
				t.Errorf("manifest %s after the re-push, want %s", got, want)
			}
		})
	}
}
