package store

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	pfs "pocket/fs"
)

func layerTarBytes(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range []struct{ name, body string }{{"etc/", ""}, {"etc/hello", "hello, world\n"}} {
		h := &tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.body)), Typeflag: tar.TypeReg, Uname: "root", Gname: "root"}
		if f.body == "" {
			h.Typeflag, h.Mode = tar.TypeDir, 0o755
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, f.body)
	}
	tw.Close()
	return buf.Bytes()
}

// unpackFill is what pull does: unpack with pocket/fs, hashing the stream.
func unpackFill(data []byte) func(string, io.Writer) (v1.Hash, error) {
	return func(dir string, meta io.Writer) (v1.Hash, error) {
		h := sha256.New()
		if _, err := pfs.Unpack(io.TeeReader(bytes.NewReader(data), h), dir, meta, pfs.Options{}); err != nil {
			return v1.Hash{}, err
		}
		return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}, nil
	}
}

func TestLayerTarRoundTrip(t *testing.T) {
	s := newStore(t)
	data := layerTarBytes(t)
	d := sha(string(data))
	if err := s.PutLayer(d, unpackFill(data)); err != nil {
		t.Fatal(err)
	}
	rc, err := s.LayerTar(d)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Errorf("LayerTar differs from the original tar (%d vs %d bytes)", len(got), len(data))
	}

	img, err := s.AddImage(nil, configFor(t, t0, d), mustRef(t, "rt"))
	if err != nil {
		t.Fatal(err)
	}
	vi, err := s.V1Image(img)
	if err != nil {
		t.Fatal(err)
	}
	ls, err := vi.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var diffIDs []v1.Hash
	for _, l := range ls {
		id, err := l.DiffID()
		if err != nil {
			t.Fatal(err)
		}
		diffIDs = append(diffIDs, id)
	}
	if diff := cmp.Diff([]v1.Hash{d}, diffIDs); diff != "" {
		t.Errorf("V1Image diffIDs (-want +got):\n%s", diff)
	}
	if id, err := vi.ConfigName(); err != nil || id != img.ID {
		t.Errorf("V1Image config = %s, %v; want %s", id, err, img.ID)
	}
}
