package pull

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/zstd"

	"pocket/reference"
	"pocket/store"
)

// mustRef parses a reference as the CLI does before calling Pull.
func mustRef(t *testing.T, s string) name.Reference {
	t.Helper()
	r, err := reference.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestMain(m *testing.M) {
	// Fast retries and stalls keep the failure tests quick; behaviour is
	// the same as with the real values.
	retryBackoff = remote.Backoff{Duration: 10 * time.Millisecond, Factor: 2, Jitter: 0.1, Steps: 3}
	stallTimeout = 300 * time.Millisecond
	// Docker Hub must never be reached by accident from a test.
	os.Setenv("HTTPS_PROXY", "http://127.0.0.1:9")
	os.Setenv("HTTP_PROXY", "http://127.0.0.1:9")
	// Nor the credentials of whoever runs the tests.
	dir, err := os.MkdirTemp("", "pocket-pull-test-")
	if err != nil {
		panic(err)
	}
	os.Setenv("DOCKER_CONFIG", dir)
	CertsDir = dir + "/certs.d"
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// testRegistry is go-containerregistry's in-process registry on loopback,
// recording request paths and letting a test intercept requests.
type testRegistry struct {
	host string
	mu   sync.Mutex
	seen []string
	// hook, when set, may answer a request itself (returning true).
	hook func(w http.ResponseWriter, r *http.Request) bool
}

func newRegistry(t *testing.T) *testRegistry {
	t.Helper()
	tr := &testRegistry{}
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tr.mu.Lock()
		tr.seen = append(tr.seen, r.Method+" "+r.URL.Path)
		hook := tr.hook
		tr.mu.Unlock()
		if hook != nil && hook(w, r) {
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	tr.host = strings.TrimPrefix(srv.URL, "http://")
	return tr
}

func (tr *testRegistry) setHook(h func(w http.ResponseWriter, r *http.Request) bool) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.hook = h
}

func (tr *testRegistry) saw(s string) bool {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for _, p := range tr.seen {
		if p == s {
			return true
		}
	}
	return false
}

// count is how many requests the registry saw that were s.
func (tr *testRegistry) count(s string) int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	n := 0
	for _, p := range tr.seen {
		if p == s {
			n++
		}
	}
	return n
}

// push writes img (or an index) under repo:tag on the test registry.
func (tr *testRegistry) push(t *testing.T, ref string, img any) {
	t.Helper()
	r, err := name.ParseReference(tr.host+"/"+ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	switch v := img.(type) {
	case v1.Image:
		err = remote.Write(r, v)
	case v1.ImageIndex:
		err = remote.WriteIndex(r, v)
	}
	if err != nil {
		t.Fatalf("push %s: %v", ref, err)
	}
}

// testLayer is a layer with given bytes, compressed as mediaType says.
type testLayer struct {
	tar, blob []byte
	mt        types.MediaType
}

func sum(b []byte) v1.Hash {
	s := sha256.Sum256(b)
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(s[:])}
}

func (l *testLayer) Digest() (v1.Hash, error)            { return sum(l.blob), nil }
func (l *testLayer) DiffID() (v1.Hash, error)            { return sum(l.tar), nil }
func (l *testLayer) Size() (int64, error)                { return int64(len(l.blob)), nil }
func (l *testLayer) MediaType() (types.MediaType, error) { return l.mt, nil }
func (l *testLayer) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.blob)), nil
}
func (l *testLayer) Uncompressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.tar)), nil
}

// layerOf makes a layer holding files (name -> content), compressed with
// "gzip", "zstd" or "" (none).
func layerOf(t *testing.T, comp string, files map[string]string) *testLayer {
	t.Helper()
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	for n, c := range files {
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(c)), Typeflag: tar.TypeReg, ModTime: time.Unix(1700000000, 0)}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(c))
	}
	tw.Close()
	l := &testLayer{tar: tb.Bytes()}
	var cb bytes.Buffer
	switch comp {
	case "gzip":
		zw := gzip.NewWriter(&cb)
		zw.Write(l.tar)
		zw.Close()
		l.blob, l.mt = cb.Bytes(), types.DockerLayer
	case "zstd":
		zw, _ := zstd.NewWriter(&cb)
		zw.Write(l.tar)
		zw.Close()
		l.blob, l.mt = cb.Bytes(), types.OCILayerZStd
	default:
		l.blob, l.mt = l.tar, types.OCIUncompressedLayer
	}
	return l
}

// imageOf builds an image for arch from layers, each a distinct file.
func imageOf(t *testing.T, arch string, layers ...*testLayer) v1.Image {
	t.Helper()
	var ls []v1.Layer
	for _, l := range layers {
		ls = append(ls, l)
	}
	img, err := mutate.AppendLayers(empty.Image, ls...)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", arch
	cfg.Created = v1.Time{Time: time.Unix(1700000000, 0).UTC()}
	cfg.Config.Cmd = []string{"/hello"}
	cfg.Config.Env = []string{"PATH=/usr/bin:/bin"}
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// simpleImage is a host-platform image of n gzip layers, unique per seed.
func simpleImage(t *testing.T, seed string, n int) v1.Image {
	t.Helper()
	var ls []*testLayer
	for i := range n {
		ls = append(ls, layerOf(t, "gzip", map[string]string{fmt.Sprintf("file%d", i): seed + strings.Repeat("x", 4096*i)}))
	}
	return imageOf(t, runtime.GOARCH, ls...)
}

func openStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func configDigest(t *testing.T, img v1.Image) v1.Hash {
	t.Helper()
	h, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func diffIDs(t *testing.T, img v1.Image) []v1.Hash {
	t.Helper()
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	return cfg.RootFS.DiffIDs
}
