package pull

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"syscall"
	"testing"

	"github.com/creack/pty"
	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"pocket/store"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	reg := newRegistry(t)
	a := simpleImage(t, "saved-a", 2)
	b := imageOf(t, runtime.GOARCH, layerOf(t, "zstd", map[string]string{"z": "zstd layer"}))
	reg.push(t, "library/hello:latest", a)
	reg.push(t, "library/hello:v2", b)
	mirror := Options{Registries: Registries{Mirrors: []string{"http://" + reg.host}}}
	src := openStore(t)
	for _, r := range []string{"hello:latest", "hello:v2"} {
		if _, err := Pull(context.Background(), src, mustRef(t, r), mirror); err != nil {
			t.Fatal(err)
		}
	}
	if err := src.Tag("hello:latest", mustRef(t, "hello:alias")); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(t.TempDir(), "out.tar")
	for _, tc := range []struct {
		refs      []string
		want      []string
		compress  bool
		stdin     bool
		fifo      bool // -i names a pipe, as with -i <(...) in a shell
		wantImage v1.Image
	}{
		{refs: []string{"hello:latest"}, want: []string{"hello:latest"}, wantImage: a},
		{refs: []string{"hello:v2"}, want: []string{"hello:v2"}, wantImage: b, compress: true},
		{refs: []string{"hello:latest"}, want: []string{"hello:latest"}, wantImage: a, stdin: true},
		{refs: []string{"hello:latest"}, want: []string{"hello:latest"}, wantImage: a, fifo: true},
		// A bare repository name saves every tag of it, as Docker does.
		{refs: []string{"hello"}, want: []string{"hello:alias", "hello:latest", "hello:v2"}},
	} {
		t.Run(filepath.Base(tc.refs[0]), func(t *testing.T) {
			if err := SaveFile(context.Background(), src, tc.refs, archive); err != nil {
				t.Fatal(err)
			}
			if left, _ := filepath.Glob(filepath.Join(filepath.Dir(archive), ".out.tar.tmp-*")); len(left) != 0 {
				t.Errorf("temporaries left: %v", left)
			}
			if tc.wantImage != nil {
				checkOCIView(t, archive, tc.want, configDigest(t, tc.wantImage))
			}
			if os.Getenv("POCKET_KEEP_SAVE") != "" {
				b, _ := os.ReadFile(archive)
				os.WriteFile(os.Getenv("POCKET_KEEP_SAVE"), b, 0o644)
			}
			in := archive
			if tc.compress {
				in = gzipFile(t, archive)
			}
			dst := openStore(t)
			var names []string
			var err error
			if tc.fifo {
				in = fifoOf(t, in)
			}
			if tc.stdin {
				f, _ := os.Open(in)
				defer f.Close()
				old := os.Stdin
				os.Stdin = f
				names, err = Load(context.Background(), dst, "", Options{})
				os.Stdin = old
			} else {
				names, err = Load(context.Background(), dst, in, Options{})
			}
			if err != nil {
				t.Fatal(err)
			}
			sort.Strings(names)
			if diff := cmp.Diff(tc.want, names); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
			if tc.wantImage == nil {
				return
			}
			got, err := dst.FindImage(tc.want[0])
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != configDigest(t, tc.wantImage) {
				t.Errorf("ID = %s, want %s", got.ID, configDigest(t, tc.wantImage))
			}
			if diff := cmp.Diff(diffIDs(t, tc.wantImage), got.Layers); diff != "" {
				t.Errorf("layers (-want +got):\n%s", diff)
			}
			// Layers come back byte for byte.
			for _, l := range got.Layers {
				rc, err := dst.LayerTar(l)
				if err != nil {
					t.Fatal(err)
				}
				h, _, err := v1.SHA256(rc)
				rc.Close()
				if err != nil || h != l {
					t.Errorf("layer %s reads back as %s, %v", l, h, err)
				}
			}
		})
	}
}

func gzipFile(t *testing.T, path string) string {
	t.Helper()
	in, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(in)
	zw.Close()
	out := path + ".gz"
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSaveRefusesTerminalAndUnknown(t *testing.T) {
	s := openStore(t)
	if ptmx, tty, err := pty.Open(); err == nil {
		old := os.Stdout
		os.Stdout = tty
		err := SaveFile(context.Background(), s, []string{"anything"}, "")
		os.Stdout = old
		tty.Close()
		ptmx.Close()
		if !errors.Is(err, ErrTerminal) || err.Error() != "cowardly refusing to save to a terminal. Use the -o flag or redirect" {
			t.Errorf("save to a terminal: %v", err)
		}
	}
	err := SaveFile(context.Background(), s, []string{"nosuch:1"}, filepath.Join(t.TempDir(), "x.tar"))
	if !errors.Is(err, store.ErrImageUnknown) {
		t.Errorf("err = %v, want ErrImageUnknown", err)
	}
}

// writeLayout writes an OCI layout with a tagged image, a containerd-named
// image, an untagged image and a multi-platform index.
func writeLayout(t *testing.T, dir string) (tagged, named, untagged, hostOfIndex v1.Image) {
	t.Helper()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	tagged = imageOf(t, runtime.GOARCH, layerOf(t, "gzip", map[string]string{"a": "tagged"}))
	named = imageOf(t, runtime.GOARCH, layerOf(t, "zstd", map[string]string{"b": "named"}))
	untagged = imageOf(t, runtime.GOARCH, layerOf(t, "", map[string]string{"c": "untagged"}))
	hostOfIndex = imageOf(t, runtime.GOARCH, layerOf(t, "gzip", map[string]string{"d": "host"}))
	other := imageOf(t, "s390x", layerOf(t, "gzip", map[string]string{"e": "other"}))
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: other, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "s390x"}}},
		mutate.IndexAddendum{Add: hostOfIndex, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: runtime.GOARCH}}},
	)
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(p.AppendImage(tagged, layout.WithAnnotations(map[string]string{annotationRefName: "example.com/app:v1"})))
	must(p.AppendImage(named, layout.WithAnnotations(map[string]string{annotationContainerd: "docker.io/library/hello:latest", annotationRefName: "latest"})))
	must(p.AppendImage(untagged))
	must(p.AppendIndex(idx, layout.WithAnnotations(map[string]string{annotationRefName: "example.com/multi:1"})))
	return
}

// tarDir writes dir as a tar (an OCI archive).
func tarDir(t *testing.T, dir string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "oci.tar")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	err = filepath.WalkDir(dir, func(p string, d iofs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		fi, _ := d.Info()
		h, _ := tar.FileInfoHeader(fi, "")
		rel, _ := filepath.Rel(dir, p)
		h.Name = "./" + filepath.ToSlash(rel)
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if d.Type().IsRegular() {
			r, _ := os.Open(p)
			defer r.Close()
			_, err = io.Copy(tw, r)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLoadOCI(t *testing.T) {
	dir := t.TempDir()
	tagged, named, untagged, host := writeLayout(t, dir)
	for _, tc := range []struct {
		name string
		path string
	}{
		{"layout directory", dir},
		{"archive", tarDir(t, dir)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openStore(t)
			names, err := Load(context.Background(), s, tc.path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"example.com/app:v1", "hello:latest", configDigest(t, untagged).String(), "example.com/multi:1"}
			if diff := cmp.Diff(want, names); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
			for ref, img := range map[string]v1.Image{"example.com/app:v1": tagged, "hello": named,
				configDigest(t, untagged).String(): untagged, "example.com/multi:1": host} {
				got, err := s.FindImage(ref)
				if err != nil {
					t.Errorf("FindImage(%s): %v", ref, err)
					continue
				}
				if got.ID != configDigest(t, img) {
					t.Errorf("%s: ID = %s, want %s", ref, got.ID, configDigest(t, img))
				}
				if diff := cmp.Diff(diffIDs(t, img), got.Layers); diff != "" {
					t.Errorf("%s layers (-want +got):\n%s", ref, diff)
				}
			}
		})
	}
}

func TestLoadRejectsOtherFiles(t *testing.T) {
	junk := filepath.Join(t.TempDir(), "junk.tar")
	os.WriteFile(junk, []byte("this is not a tar archive at all, not even close......"), 0o644)
	empty := tarDir(t, t.TempDir())
	for _, p := range []string{junk, empty, t.TempDir()} {
		_, err := Load(context.Background(), openStore(t), p, Options{})
		if !errors.Is(err, ErrBadArchive) {
			t.Errorf("Load(%s) = %v, want ErrBadArchive", p, err)
		}
	}
}

func TestInspect(t *testing.T) {
	reg := newRegistry(t)
	img := simpleImage(t, "inspect", 2)
	reg.push(t, "library/alpine:3.20", img)
	s := openStore(t)
	if _, err := Pull(context.Background(), s, mustRef(t, "alpine:3.20"), Options{Registries: Registries{Mirrors: []string{"http://" + reg.host}}}); err != nil {
		t.Fatal(err)
	}
	v, err := Inspect(s, "alpine:3.20")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v)
	var got map[string]any
	json.Unmarshal(b, &got)
	md, _ := img.Digest()
	var layers []any
	for _, d := range diffIDs(t, img) {
		layers = append(layers, d.String())
	}
	for k, want := range map[string]any{
		"Id":           configDigest(t, img).String(),
		"RepoTags":     []any{"alpine:3.20"},
		"RepoDigests":  []any{"alpine@" + md.String()},
		"Architecture": runtime.GOARCH,
		"Os":           "linux",
		"Created":      "2023-11-14T22:13:20Z",
		"RootFS":       map[string]any{"Type": "layers", "Layers": layers},
	} {
		if diff := cmp.Diff(want, got[k]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", k, diff)
		}
	}
	cfg := got["Config"].(map[string]any)
	if diff := cmp.Diff([]any{"/hello"}, cfg["Cmd"]); diff != "" {
		t.Errorf("Config.Cmd (-want +got):\n%s", diff)
	}
	if _, err := Inspect(s, "nosuch"); !errors.Is(err, store.ErrImageUnknown) {
		t.Errorf("Inspect(nosuch) = %v", err)
	}
}

// checkOCIView loads a saved archive through its OCI index alone, as an
// OCI tool would read it.
func checkOCIView(t *testing.T, archive string, want []string, id v1.Hash) {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := indexTar(f)
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t)
	names, err := loadOCI(context.Background(), s, b, "", quietProgress{})
	if err != nil {
		t.Fatalf("archive as OCI: %v", err)
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("archive as OCI: names (-want +got):\n%s", diff)
	}
	if got, err := s.FindImage(want[0]); err != nil || got.ID != id {
		t.Errorf("archive as OCI: FindImage(%s) = %v, %v", want[0], got, err)
	}
}

func TestLoadDirectoryStaysInside(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(t.TempDir(), "secret.json")
	os.WriteFile(secret, []byte(`{"rootfs":{"type":"layers","diff_ids":[]}}`), 0o644)
	rel, _ := filepath.Rel(dir, secret)
	m, _ := json.Marshal([]dockerManifestEntry{{Config: rel, RepoTags: []string{"evil:1"}}})
	os.WriteFile(filepath.Join(dir, "manifest.json"), m, 0o644)
	os.Symlink(secret, filepath.Join(dir, "link.json"))
	m2, _ := json.Marshal([]dockerManifestEntry{{Config: "link.json", RepoTags: []string{"evil:2"}}})
	for _, man := range [][]byte{m, m2} {
		os.WriteFile(filepath.Join(dir, "manifest.json"), man, 0o644)
		names, err := Load(context.Background(), openStore(t), dir, Options{})
		if err == nil {
			t.Errorf("Load read %s outside the directory: %v", secret, names)
		}
	}
}

// fifoOf serves the file at path through a named pipe and returns the pipe.
func fifoOf(t *testing.T, path string) string {
	t.Helper()
	fifo := filepath.Join(t.TempDir(), "in.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer w.Close()
		if r, err := os.Open(path); err == nil {
			io.Copy(w, r)
			r.Close()
		}
	}()
	return fifo
}

// docker save writes the legacy repositories file, REPOSITORY -> TAG ->
// the top layer's file under blobs/sha256, for each tagged image.
func TestSaveRepositories(t *testing.T) {
	reg := newRegistry(t)
	a := simpleImage(t, "repos-a", 2)
	reg.push(t, "library/hello:latest", a)
	s := openStore(t)
	if _, err := Pull(context.Background(), s, mustRef(t, "hello:latest"), Options{Registries: Registries{Mirrors: []string{"http://" + reg.host}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Tag("hello:latest", mustRef(t, "example.com/team/hello:1")); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(t.TempDir(), "out.tar")
	if err := SaveFile(context.Background(), s, []string{"hello:latest", "example.com/team/hello:1"}, archive); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got map[string]map[string]string
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("no repositories file: %v", err)
		}
		if h.Name == "repositories" {
			if err := json.NewDecoder(tr).Decode(&got); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	ids := diffIDs(t, a)
	top := ids[len(ids)-1].Hex
	want := map[string]map[string]string{"hello": {"latest": top}, "example.com/team/hello": {"1": top}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("repositories (-want +got):\n%s", diff)
	}
}
