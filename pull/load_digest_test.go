package pull

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"

	"pocket/store"
)

// An OCI layout names every blob by its digest, and the names are all a
// loader may trust: whoever made the archive chose the bytes. A manifest,
// config or layer whose bytes are not what its name promises must be
// refused before anything reaches the store, as a registry's blob would
// be: the image ID, the layers a container runs and what `images` shows
// rest on those digests.
func TestLoadOCIRefusesTamperedBlobs(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, blob func(v1.Hash) string, img v1.Image)
	}{
		{"manifest", func(t *testing.T, blob func(v1.Hash) string, img v1.Image) {
			d, err := img.Digest()
			if err != nil {
				t.Fatal(err)
			}
			// Still a valid manifest of the same image, with other bytes.
			edit(t, blob(d), []byte(`{"schemaVersion":2,`), []byte(`{"schemaVersion":2,"annotations":{"x":"y"},`))
		}},
		{"config", func(t *testing.T, blob func(v1.Hash) string, img v1.Image) {
			// Another command, same length: only the digest tells.
			edit(t, blob(configDigest(t, img)), []byte(`"Cmd":["/hello"]`), []byte(`"Cmd":["/evil!"]`))
		}},
		{"layer blob", func(t *testing.T, blob func(v1.Hash) string, img v1.Image) {
			ls, err := img.Layers()
			if err != nil {
				t.Fatal(err)
			}
			d, err := ls[0].Digest()
			if err != nil {
				t.Fatal(err)
			}
			// A gzip header's MTIME (bytes 4-7, RFC 1952) changes the
			// compressed bytes, not the tar they decompress to: the
			// diffID still matches, only the blob's digest does not.
			p := blob(d)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) < 10 || b[0] != 0x1f || b[1] != 0x8b {
				t.Fatalf("layer blob is not gzip: % x", b[:min(len(b), 10)])
			}
			copy(b[4:8], []byte{1, 2, 3, 4})
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		dir := t.TempDir()
		img := imageOf(t, runtime.GOARCH, layerOf(t, "gzip", map[string]string{"a": "tampered " + tc.name}))
		p, err := layout.Write(dir, empty.Index)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{annotationRefName: "example.com/tampered:1"})); err != nil {
			t.Fatal(err)
		}
		tc.tamper(t, func(d v1.Hash) string { return filepath.Join(dir, "blobs", d.Algorithm, d.Hex) }, img)
		for _, from := range []struct{ name, path string }{{"layout directory", dir}, {"archive", tarDir(t, dir)}} {
			t.Run(tc.name+"/"+from.name, func(t *testing.T) {
				s := openStore(t)
				names, err := Load(context.Background(), s, from.path, Options{})
				if !errors.Is(err, store.ErrDigestMismatch) {
					t.Fatalf("Load = %v, %v; want ErrDigestMismatch", names, err)
				}
				checkNothingStored(t, s)
			})
		}
	}
}

// edit replaces old, which must be in the file once, with new.
func edit(t *testing.T, path string, old, new []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Count(b, old) != 1 {
		t.Fatalf("%s: %q is not in it once:\n%s", path, old, b)
	}
	if err := os.WriteFile(path, bytes.Replace(b, old, new, 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkNothingStored asserts that a refused load left no image, layer or
// blob behind.
func checkNothingStored(t *testing.T, s *store.Store) {
	t.Helper()
	imgs, err := s.Images()
	if err != nil || len(imgs) != 0 {
		t.Errorf("images after a refused load: %v, %v", imgs, err)
	}
	for _, d := range []string{"layers", filepath.Join("blobs", "sha256")} {
		entries, err := os.ReadDir(filepath.Join(s.Root(), d))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		if diff := cmp.Diff([]string(nil), names); diff != "" {
			t.Errorf("%s/ after a refused load (-want +got):\n%s", d, diff)
		}
	}
}
