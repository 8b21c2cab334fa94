package store

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestRemoveImage(t *testing.T) {
	digest := "sha256:" + strings.Repeat("d", 64)
	type want struct {
		untagged, deleted []string
		err               error
		msg               string // error message, with ID/CID for the short IDs
		names             []string
		gone              bool // the image record is deleted
	}
	tests := []struct {
		name      string
		tags      []string
		digest    bool // also pulled as alpine@digest
		container bool // a container record uses the image
		ref       string
		force     bool
		want      want
	}{
		{
			name: "untag one of two names",
			tags: []string{"alpine:3.20", "alpine:latest"}, ref: "alpine:3.20",
			want: want{untagged: []string{"Untagged: alpine:3.20"}, names: []string{"docker.io/library/alpine:latest"}},
		},
		{
			name: "last name deletes",
			tags: []string{"alpine:3.20"}, ref: "alpine:3.20",
			want: want{untagged: []string{"Untagged: alpine:3.20"}, deleted: []string{"Deleted: ID"}, gone: true},
		},
		{
			name: "last tag takes the repository's digests along",
			tags: []string{"alpine:3.20"}, digest: true, ref: "alpine:3.20",
			want: want{untagged: []string{"Untagged: alpine:3.20", "Untagged: alpine@" + digest}, deleted: []string{"Deleted: ID"}, gone: true},
		},
		{
			name: "by ID with one name",
			tags: []string{"alpine:3.20"}, ref: "ID12",
			want: want{untagged: []string{"Untagged: alpine:3.20"}, deleted: []string{"Deleted: ID"}, gone: true},
		},
		{
			name: "by ID with a tag and its digest",
			tags: []string{"alpine:3.20"}, digest: true, ref: "ID",
			want: want{untagged: []string{"Untagged: alpine:3.20", "Untagged: alpine@" + digest}, deleted: []string{"Deleted: ID"}, gone: true},
		},
		{
			name: "by ID with several names is refused",
			tags: []string{"alpine:3.20", "mine:1"}, ref: "ID12",
			want: want{err: ErrConflict, msg: "conflict: unable to delete ID12 (must be forced) - image is referenced in multiple repositories",
				names: []string{"docker.io/library/alpine:3.20", "docker.io/library/mine:1"}},
		},
		{
			name: "by ID with several names, forced",
			tags: []string{"alpine:3.20", "mine:1"}, ref: "ID12", force: true,
			want: want{untagged: []string{"Untagged: alpine:3.20", "Untagged: mine:1"}, deleted: []string{"Deleted: ID"}, gone: true},
		},
		{
			name: "dangling by ID",
			ref:  "ID",
			want: want{deleted: []string{"Deleted: ID"}, gone: true},
		},
		{
			name: "last name of an image a container uses",
			tags: []string{"alpine"}, container: true, ref: "alpine",
			want: want{err: ErrImageInUse, msg: `conflict: unable to remove repository reference "alpine" (must force) - container CID12 is using its referenced image ID12`,
				names: []string{"docker.io/library/alpine:latest"}},
		},
		{
			name: "one of two names of an image a container uses",
			tags: []string{"alpine", "mine"}, container: true, ref: "mine",
			want: want{untagged: []string{"Untagged: mine:latest"}, names: []string{"docker.io/library/alpine:latest"}},
		},
		{
			name: "by ID of an image a container uses",
			tags: []string{"alpine"}, container: true, ref: "ID12",
			want: want{err: ErrImageInUse, msg: "conflict: unable to delete ID12 (must be forced) - image is being used by container CID12",
				names: []string{"docker.io/library/alpine:latest"}},
		},
		{
			name: "forced: names go, the record stays for the container",
			tags: []string{"alpine", "mine"}, container: true, ref: "ID", force: true,
			want: want{untagged: []string{"Untagged: alpine:latest", "Untagged: mine:latest"}, names: []string{}},
		},
		{
			name: "forced by name: the record stays for the container",
			tags: []string{"alpine"}, container: true, ref: "alpine", force: true,
			want: want{untagged: []string{"Untagged: alpine:latest"}, names: []string{}},
		},
		{
			name: "unknown",
			tags: []string{"alpine"}, ref: "alpine:3.99",
			want: want{err: ErrImageUnknown, msg: "no such image: alpine:3.99", names: []string{"docker.io/library/alpine:latest"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			img := addImage(t, s, "", 0, "base", "l-"+tt.name)
			cfg, _ := s.Blob(img.ID)
			for _, tag := range tt.tags {
				if _, err := s.AddImage(nil, cfg, mustRef(t, tag)); err != nil {
					t.Fatal(err)
				}
			}
			if tt.digest {
				if _, err := s.AddImage(nil, cfg, mustRef(t, "alpine@"+digest)); err != nil {
					t.Fatal(err)
				}
			}
			cid := strings.Repeat("c", 64)
			if tt.container {
				if err := s.CreateContainer(&Container{ID: cid, Name: "user", Image: img.ID}); err != nil {
					t.Fatal(err)
				}
			}
			subst := strings.NewReplacer("CID12", cid[:12], "ID12", img.ID.Hex[:12], "ID", img.ID.String())
			ref := subst.Replace(tt.ref)
			if ref == img.ID.String() && strings.HasPrefix(tt.name, "by ID with a tag") {
				ref = img.ID.Hex // the bare 64-hex form
			}
			untagged, deleted, err := s.RemoveImage(ref, tt.force)
			if !errors.Is(err, tt.want.err) {
				t.Fatalf("RemoveImage(%q) err = %v, want %v", ref, err, tt.want.err)
			}
			if err != nil && tt.want.msg != "" {
				if diff := cmp.Diff(subst.Replace(tt.want.msg), err.Error()); diff != "" {
					t.Errorf("message (-want +got):\n%s", diff)
				}
			}
			var wantDeleted []string
			for _, d := range tt.want.deleted {
				wantDeleted = append(wantDeleted, subst.Replace(d))
			}
			if diff := cmp.Diff(tt.want.untagged, untagged); diff != "" {
				t.Errorf("untagged (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantDeleted, deleted); diff != "" {
				t.Errorf("deleted (-want +got):\n%s", diff)
			}
			got, lerr := s.FindImage(img.ID.String())
			if tt.want.gone {
				if !errors.Is(lerr, ErrImageUnknown) {
					t.Errorf("image still present (%v)", lerr)
				}
				if s.HasLayer(sha("l-" + tt.name)) {
					t.Error("the deleted image's layer was not collected")
				}
				return
			}
			if lerr != nil {
				t.Fatalf("image record gone: %v", lerr)
			}
			if diff := cmp.Diff(tt.want.names, got.Names); diff != "" {
				t.Errorf("names left (-want +got):\n%s", diff)
			}
			for _, l := range got.Layers {
				if !s.HasLayer(l) {
					t.Errorf("layer %s of a kept image was collected", l)
				}
			}
		})
	}
}

func TestPruneImages(t *testing.T) {
	tests := []struct {
		name      string
		all       bool
		wantKept  []string // image labels kept
		wantFreed int64
	}{
		{"dangling", false, []string{"tagged", "used"}, int64(len("l-dangling"))},
		{"all", true, []string{"used"}, int64(len("l-dangling") + len("l-tagged"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			ids := map[v1.Hash]string{}
			for _, label := range []string{"tagged", "dangling", "used"} {
				tag := ""
				if label == "tagged" {
					tag = "app"
				}
				img := addImage(t, s, tag, 0, "l-"+label)
				ids[img.ID] = label
				if label == "used" {
					if err := s.CreateContainer(&Container{Name: "cc", Image: img.ID}); err != nil {
						t.Fatal(err)
					}
				}
			}
			before, _ := s.Images()
			blobBytes := int64(0)
			for _, img := range before {
				if l := ids[img.ID]; l == "dangling" || (tt.all && l == "tagged") {
					c, _ := s.Blob(img.ID)
					m, _ := s.Blob(img.Manifest)
					blobBytes += int64(len(c) + len(m))
				}
			}
			deleted, freed, err := s.PruneImages(tt.all, nil)
			if err != nil {
				t.Fatal(err)
			}
			imgs, _ := s.Images()
			var kept []string
			for _, img := range imgs {
				kept = append(kept, ids[img.ID])
			}
			if diff := cmp.Diff(tt.wantKept, sorted(kept)); diff != "" {
				t.Errorf("kept (-want +got):\n%s", diff)
			}
			if len(deleted) != len(ids)-len(tt.wantKept) {
				t.Errorf("deleted = %v", deleted)
			}
			if freed != tt.wantFreed+blobBytes {
				t.Errorf("freed = %d, want %d", freed, tt.wantFreed+blobBytes)
			}
			if !s.HasLayer(sha("l-used")) {
				t.Error("a used image's layer was collected")
			}
		})
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
