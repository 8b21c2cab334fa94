package store

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// setLastUse backdates an image's last use, as if it ran then.
func setLastUse(t *testing.T, s *Store, id v1.Hash, at time.Time) {
	t.Helper()
	if err := s.updateIndex(func(ix *index) error {
		ix.byID(id).LastUsed = at
		ix.byID(id).Added = at.Add(-time.Hour)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestEvictImages fills a store with images used at different times and
// checks the eviction order: least recently used first, images a
// container uses never, layers shared with a kept image kept.
func TestEvictImages(t *testing.T) {
	now := time.Now().UTC()
	for _, tc := range []struct {
		name    string
		o       EvictOptions
		wantOut []string // tags left, sorted
	}{
		{"until", EvictOptions{Until: now.Add(-36 * time.Hour)}, []string{"fresh:1", "inuse:1", "recent:1"}},
		{"max-size", EvictOptions{MaxSize: 3100}, []string{"fresh:1", "inuse:1"}},
		{"both", EvictOptions{Until: now.Add(-12 * time.Hour), MaxSize: 1 << 30}, []string{"fresh:1", "inuse:1"}},
		{"nothing to do", EvictOptions{Until: now.Add(-1000 * time.Hour), MaxSize: 1 << 30}, []string{"ancient:1", "fresh:1", "inuse:1", "old:1", "recent:1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			k := strings.Repeat("k", 1000) // 1000 bytes a layer
			images := []struct {
				tag    string
				ago    time.Duration
				layers []string
			}{
				{"ancient:1", 100 * time.Hour, []string{k + "a"}},
				{"old:1", 48 * time.Hour, []string{k + "b", k + "shared"}},
				{"recent:1", 24 * time.Hour, []string{k + "c"}},
				{"fresh:1", time.Hour, []string{k + "d", k + "shared"}},
				{"inuse:1", 200 * time.Hour, []string{k + "e"}},
			}
			for _, im := range images {
				img := addImage(t, s, "docker.io/library/"+im.tag, -im.ago, im.layers...)
				setLastUse(t, s, img.ID, now.Add(-im.ago))
				if im.tag == "inuse:1" {
					if err := s.CreateContainer(&Container{ID: strings.Repeat("c", 64), Image: img.ID, Created: now}); err != nil {
						t.Fatal(err)
					}
				}
			}
			if _, _, err := s.EvictImages(tc.o); err != nil {
				t.Fatal(err)
			}
			imgs, err := s.Images()
			if err != nil {
				t.Fatal(err)
			}
			var left []string
			for _, img := range imgs {
				for _, n := range img.Names {
					left = append(left, strings.TrimPrefix(n, "docker.io/library/"))
				}
			}
			slices.Sort(left)
			if diff := cmp.Diff(tc.wantOut, left); diff != "" {
				t.Errorf("images left (-want +got):\n%s", diff)
			}
			// The layer "fresh" shares with "old" stays.
			if !s.HasLayer(sha(k + "shared")) {
				t.Error("a layer a kept image uses was removed")
			}
		})
	}
}

func TestTouchImage(t *testing.T) {
	s := newStore(t)
	img := addImage(t, s, "docker.io/library/a:1", 0, "touch")
	setLastUse(t, s, img.ID, time.Now().Add(-time.Hour))
	if err := s.TouchImage(img.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := s.ImageByID(img.ID)
	if time.Since(got.LastUsed) > time.Minute {
		t.Errorf("LastUsed = %v after TouchImage", got.LastUsed)
	}
}
