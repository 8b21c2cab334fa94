package pull

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

func TestParseArchive(t *testing.T) {
	for _, tc := range []struct {
		arg     string
		want    Archive
		notOurs bool
		wantErr bool
	}{
		{arg: "docker-archive:img.tar", want: Archive{Transport: DockerArchive, Path: "img.tar", Index: -1}},
		{arg: "docker-archive:/x/img.tar:hello:v1", want: Archive{Transport: DockerArchive, Path: "/x/img.tar", Ref: "hello:v1", Index: -1}},
		{arg: "docker-archive:img.tar:@1", want: Archive{Transport: DockerArchive, Path: "img.tar", Index: 1}},
		{arg: "oci-archive:img.tar:latest", want: Archive{Transport: OCIArchive, Path: "img.tar", Ref: "latest", Index: -1}},
		{arg: "oci:dir", want: Archive{Transport: OCILayout, Path: "dir", Index: -1}},
		{arg: "oci:dir:example.com/app:v1", want: Archive{Transport: OCILayout, Path: "dir", Ref: "example.com/app:v1", Index: -1}},
		{arg: "busybox", notOurs: true},
		{arg: "busybox:latest", notOurs: true},
		{arg: "localhost:5000/oci:1", notOurs: true},
		{arg: "docker-archive:", wantErr: true},
		{arg: "docker-archive:img.tar:@x", wantErr: true},
		{arg: "docker-archive:img.tar:UPPER", wantErr: true},
	} {
		t.Run(tc.arg, func(t *testing.T) {
			got, ok, err := ParseArchive(tc.arg)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseArchive(%q) error = %v, want error %v", tc.arg, err, tc.wantErr)
			}
			if tc.wantErr {
				if !errors.Is(err, ErrBadTransport) || !strings.Contains(err.Error(), tc.arg) {
					t.Errorf("error %q: want ErrBadTransport naming %s", err, tc.arg)
				}
				return
			}
			if ok == tc.notOurs {
				t.Fatalf("ParseArchive(%q) ok = %v", tc.arg, ok)
			}
			if tc.notOurs {
				return
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if got.String() != tc.arg {
				t.Errorf("String() = %q, want %q", got.String(), tc.arg)
			}
		})
	}
}

// writeDockerArchive writes a `docker save` tar with go-containerregistry.
func writeDockerArchive(t *testing.T, imgs map[string]v1.Image) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "img.tar")
	refs := map[name.Reference]v1.Image{}
	for r, img := range imgs {
		refs[mustRef(t, r)] = img
	}
	if err := tarball.MultiRefWriteToFile(p, refs); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFromArchive(t *testing.T) {
	a := simpleImage(t, "archive-a", 2)
	b := simpleImage(t, "archive-b", 1)
	one := writeDockerArchive(t, map[string]v1.Image{"hello:v1": a})
	two := writeDockerArchive(t, map[string]v1.Image{"hello:v1": a, "example.com/b:2": b})
	dir := t.TempDir()
	tagged, named, _, host := writeLayout(t, dir)
	ociTar := tarDir(t, dir)
	single := t.TempDir()
	p, err := layout.Write(single, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(b); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		arg     string
		want    v1.Image
		wantErr error
	}{
		{arg: "docker-archive:" + one, want: a},
		{arg: "docker-archive:" + two + ":example.com/b:2", want: b},
		{arg: "docker-archive:" + two + ":hello:v1", want: a},
		{arg: "docker-archive:" + two + ":hello", wantErr: ErrArchiveImage}, // hello:latest is not in it
		{arg: "docker-archive:" + two, wantErr: ErrArchiveImage},
		{arg: "docker-archive:" + two + ":@5", wantErr: ErrArchiveImage},
		{arg: "oci:" + dir + ":example.com/app:v1", want: tagged},
		{arg: "oci:" + dir + ":latest", want: named},
		{arg: "oci:" + dir + ":hello", want: named}, // docker.io/library/hello:latest
		{arg: "oci-archive:" + ociTar + ":example.com/multi:1", want: host},
		{arg: "oci-archive:" + ociTar + ":nope", wantErr: ErrArchiveImage},
		{arg: "oci-archive:" + ociTar, wantErr: ErrArchiveImage},
		{arg: "oci:" + single, want: b},
		{arg: "oci:" + ociTar, wantErr: ErrBadArchive},      // a file, not a layout
		{arg: "oci-archive:" + dir, wantErr: ErrBadArchive}, // a layout, not a tar
		{arg: "oci-archive:" + one, wantErr: ErrBadArchive}, // docker-save, not OCI
	} {
		t.Run(tc.arg[strings.LastIndex(tc.arg, "/")+1:], func(t *testing.T) {
			arc, ok, err := ParseArchive(tc.arg)
			if !ok || err != nil {
				t.Fatalf("ParseArchive(%q) = %v, %v", tc.arg, ok, err)
			}
			s := openStore(t)
			img, err := FromArchive(context.Background(), s, arc, Options{})
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("FromArchive = %v, want %v", err, tc.wantErr)
				}
				// The error names the archive and the image asked for.
				if !strings.Contains(err.Error(), tc.arg) {
					t.Errorf("error %q does not name %s", err, tc.arg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if img.ID != configDigest(t, tc.want) {
				t.Errorf("ID = %s, want %s", img.ID, configDigest(t, tc.want))
			}
			if diff := cmp.Diff(diffIDs(t, tc.want), img.Layers); diff != "" {
				t.Errorf("layers (-want +got):\n%s", diff)
			}
			for _, l := range img.Layers {
				if !s.HasLayer(l) {
					t.Errorf("layer %s not stored", l)
				}
			}
		})
	}
}

// A second run from the same archive finds every layer in the store and
// unpacks none.
func TestFromArchiveUnpacksOnce(t *testing.T) {
	img := simpleImage(t, "once", 3)
	s := openStore(t)
	arc := Archive{Transport: DockerArchive, Path: writeDockerArchive(t, map[string]v1.Image{"once:1": img}), Index: -1}
	before := unpacks.Load()
	for i := range 2 {
		got, err := FromArchive(context.Background(), s, arc, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != configDigest(t, img) {
			t.Fatalf("run %d: ID = %s", i, got.ID)
		}
		if n := unpacks.Load() - before; n != 3 {
			t.Errorf("after run %d: %d layers unpacked, want 3", i+1, n)
		}
	}
	if _, err := s.LookupImage(mustRef(t, "once:1")); err != nil {
		t.Errorf("the archive's tag: %v", err)
	}
}

// An archive's layers go through the same checks as a pulled layer's: a
// hardlink to a host file (the CVE-2019-14271 class of escape) is refused
// and nothing is stored.
func TestFromArchiveRefusesHostileLayer(t *testing.T) {
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	tw.WriteHeader(&tar.Header{Name: "passwd-link", Typeflag: tar.TypeLink, Linkname: "/etc/passwd"})
	tw.WriteHeader(&tar.Header{Name: "../../escape", Typeflag: tar.TypeReg, Mode: 0o644})
	tw.Close()
	l := &testLayer{tar: tb.Bytes(), blob: tb.Bytes(), mt: "application/vnd.oci.image.layer.v1.tar"}
	img := imageOf(t, runtime.GOARCH, l)
	s := openStore(t)
	arc := Archive{Transport: DockerArchive, Path: writeDockerArchive(t, map[string]v1.Image{"bad:1": img}), Index: -1}
	_, err := FromArchive(context.Background(), s, arc, Options{})
	if !errors.Is(err, ErrBadLayer) {
		t.Fatalf("FromArchive = %v, want ErrBadLayer", err)
	}
	if !strings.Contains(err.Error(), arc.String()) {
		t.Errorf("error %q does not name the archive", err)
	}
	checkNothingStored(t, s)
	if _, err := os.Stat(filepath.Join(s.Root(), "escape")); err == nil {
		t.Error("a file escaped the layer")
	}
}
