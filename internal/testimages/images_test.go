package testimages

import (
	"archive/tar"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// flatten is go-containerregistry's own merge of an image's layers
// (whiteouts and opaque directories applied), an independent check of
// LayeredWant.
func flatten(t *testing.T, img v1.Image) map[string]*tar.Header {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	out := map[string]*tar.Header{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out["/"+strings.TrimSuffix(strings.TrimPrefix(h.Name, "/"), "/")] = h
	}
}

func TestLayeredWant(t *testing.T) {
	img, err := Layered()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := img.Digest(); err != nil {
		t.Fatal(err)
	}
	ls, _ := img.Layers()
	if len(ls) < 5 {
		t.Fatalf("layered has %d layers, want busybox + 4", len(ls))
	}
	files := flatten(t, img)
	for _, w := range LayeredWant {
		t.Run(w.Path, func(t *testing.T) {
			h, ok := files[w.Path]
			if w.Kind == "absent" {
				if ok {
					t.Fatalf("%s present, want absent", w.Path)
				}
				return
			}
			if !ok {
				t.Fatalf("%s absent", w.Path)
			}
			kinds := map[byte]string{tar.TypeReg: "file", tar.TypeDir: "dir", tar.TypeSymlink: "symlink", tar.TypeLink: "file"}
			if got := kinds[h.Typeflag]; got != w.Kind {
				t.Errorf("kind %q, want %q", got, w.Kind)
			}
			if w.Link != "" && h.Linkname != w.Link {
				t.Errorf("link %q, want %q", h.Linkname, w.Link)
			}
			if w.Mode != 0 && uint32(h.Mode)&0o7777 != w.Mode {
				t.Errorf("mode %o, want %o", h.Mode, w.Mode)
			}
			if h.Uid != w.UID || h.Gid != w.GID {
				t.Errorf("owner %d:%d, want %d:%d", h.Uid, h.Gid, w.UID, w.GID)
			}
		})
	}
}

func TestHello(t *testing.T) {
	bin, err := HelloBinary()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "hello")
	os.WriteFile(p, bin, 0o755)
	out, err := exec.Command(p).Output()
	if err != nil || !strings.Contains(string(out), HelloOutput) {
		t.Fatalf("hello: %v: %q", err, out)
	}
	img, err := Hello()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := img.Digest(); err != nil {
		t.Fatal(err)
	}
	cf, _ := img.ConfigFile()
	if diff := cmp.Diff([]string{"/hello"}, cf.Config.Cmd); diff != "" {
		t.Errorf("Cmd (-want +got):\n%s", diff)
	}
}

func TestBusybox(t *testing.T) {
	img, err := Busybox()
	if err != nil {
		t.Fatal(err)
	}
	files := flatten(t, img)
	for p, want := range map[string]string{"/bin/sh": "busybox", "/bin/ls": "busybox"} {
		if h := files[p]; h == nil || h.Linkname != want {
			t.Errorf("%s: %+v, want a symlink to %s", p, h, want)
		}
	}
	if h := files["/tmp"]; h == nil || h.Mode&0o7777 != 0o1777 {
		t.Errorf("/tmp: %+v, want mode 1777", h)
	}
	if h := files[OwnedByApp]; h == nil || h.Uid != AppUID || h.Gid != AppUID {
		t.Errorf("%s: %+v, want owned by 1000:1000", OwnedByApp, h)
	}
}

func TestIndex(t *testing.T) {
	idx, err := Index()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := idx.Digest(); err != nil {
		t.Fatal(err)
	}
	m, _ := idx.IndexManifest()
	var got []string
	for _, d := range m.Manifests {
		got = append(got, PlatformString(*d.Platform))
		img, _ := idx.Image(d.Digest)
		if h := flatten(t, img)["/platform"]; h == nil {
			t.Errorf("%s has no /platform", PlatformString(*d.Platform))
		}
	}
	if diff := cmp.Diff([]string{"linux/amd64", "linux/arm64", "linux/arm/v7"}, got); diff != "" {
		t.Errorf("platforms (-want +got):\n%s", diff)
	}
}

func TestHostileBuilds(t *testing.T) {
	cs, err := Hostile()
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 3 {
		t.Fatalf("%d hostile images, want 3", len(cs))
	}
	for _, c := range cs {
		if _, err := c.Image.Digest(); err != nil || c.Must == "" {
			t.Errorf("%s: %v, must %q", c.Name, err, c.Must)
		}
	}
}

func TestBigAndWriters(t *testing.T) {
	dir := t.TempDir()
	img, err := Big(filepath.Join(dir, "big"), 4)
	if err != nil {
		t.Fatal(err)
	}
	ls, _ := img.Layers()
	var total int64
	for _, l := range ls {
		n, _ := l.Size()
		total += n
	}
	if len(ls) != BigLayers || total < 4<<20 {
		t.Fatalf("big: %d layers, %d bytes compressed; want %d layers, >= 4 MiB", len(ls), total, BigLayers)
	}
	if err := WriteDockerArchive(filepath.Join(dir, "big.tar"), map[string]v1.Image{"big:latest": img}); err != nil {
		t.Fatal(err)
	}
	back, err := tarball.ImageFromPath(filepath.Join(dir, "big.tar"), nil)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.ConfigName()
	if got, _ := back.ConfigName(); got != want {
		t.Errorf("archive image ID %s, want %s", got, want)
	}
	if err := WriteOCILayout(filepath.Join(dir, "oci"), img, "big:latest"); err != nil {
		t.Fatal(err)
	}
	p, err := layout.FromPath(filepath.Join(dir, "oci"))
	if err != nil {
		t.Fatal(err)
	}
	ii, _ := p.ImageIndex()
	m, _ := ii.IndexManifest()
	if len(m.Manifests) != 1 || m.Manifests[0].Annotations[RefNameAnnotation] != "latest" || m.Manifests[0].Annotations[ContainerdNameAnnotation] != "docker.io/library/big:latest" {
		t.Errorf("layout index.json: %+v", m.Manifests)
	}
}
