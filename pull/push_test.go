package pull

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/stream"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"pocket/store"
)

// manifestDigest asks a registry for ref's manifest digest.
func manifestDigest(t *testing.T, ref string) v1.Hash {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	d, err := remote.Head(r)
	if err != nil {
		t.Fatalf("HEAD %s: %v", ref, err)
	}
	return d.Digest
}

func push(t *testing.T, s *store.Store, ref string, o PushOptions) (string, error) {
	t.Helper()
	var out, warn bytes.Buffer
	o.Out, o.Err = &out, &warn
	err := Push(context.Background(), s, mustRef(t, ref), o)
	return out.String() + warn.String(), err
}

// wantLines asserts that every layer of ids has status in out.
func wantStatus(t *testing.T, out string, ids []v1.Hash, status string) {
	t.Helper()
	for _, id := range ids {
		if !strings.Contains(out, id.Hex[:12]+": "+status+"\n") {
			t.Errorf("output lacks %q:\n%s", id.Hex[:12]+": "+status, out)
		}
	}
}

func TestPushKeepsManifestDigest(t *testing.T) {
	src, dst := newRegistry(t), newRegistry(t)
	img := simpleImage(t, "push", 3)
	src.push(t, "library/app:1", img)
	want, _ := img.Digest()
	s := openStore(t)
	if _, err := Pull(context.Background(), s, mustRef(t, src.host+"/library/app:1"), Options{}); err != nil {
		t.Fatal(err)
	}
	ids := diffIDs(t, img)

	// To another registry: every blob re-fetched from the source.
	if err := s.Tag(src.host+"/library/app:1", mustRef(t, dst.host+"/team/app:1")); err != nil {
		t.Fatal(err)
	}
	out, err := push(t, s, dst.host+"/team/app:1", PushOptions{})
	if err != nil {
		t.Fatalf("push: %v\n%s", err, out)
	}
	if !strings.HasPrefix(out, "The push refers to repository ["+dst.host+"/team/app]\n") {
		t.Errorf("first line:\n%s", out)
	}
	wantStatus(t, out, ids, "Preparing")
	wantStatus(t, out, ids, "Pushed")
	raw, _ := img.RawManifest()
	if !strings.Contains(out, "1: digest: "+want.String()+" size: ") || !strings.HasSuffix(out, " size: "+itoa(len(raw))+"\n") {
		t.Errorf("no digest line for %s size %d:\n%s", want, len(raw), out)
	}
	if got := manifestDigest(t, dst.host+"/team/app:1"); got != want {
		t.Errorf("pushed manifest %s, want the source's %s", got, want)
	}

	// Again: nothing to send, and one question asks it: the tag's
	// manifest, not each blob.
	dst.mu.Lock()
	dst.seen = nil
	dst.mu.Unlock()
	out, err = push(t, s, dst.host+"/team/app:1", PushOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, out, ids, "Layer already exists")
	if !strings.Contains(out, "1: digest: "+want.String()) {
		t.Errorf("re-push: no digest line for %s:\n%s", want, out)
	}
	dst.mu.Lock()
	for _, r := range dst.seen {
		if strings.Contains(r, "/blobs/") || strings.HasPrefix(r, "PUT ") {
			t.Errorf("re-push of an unchanged image sent %s", r)
		}
	}
	dst.mu.Unlock()

	// To another repository of the same registry: mounted from the first.
	// (go-containerregistry's registry shares blobs between repositories
	// and cannot mount: the hook plays a registry that does; the e2e test
	// has docker-registry do it.)
	var (
		mountsMu sync.Mutex // layers are pushed at once
		mounts   []string
	)
	dst.setHook(func(w http.ResponseWriter, r *http.Request) bool {
		switch {
		case r.Method == http.MethodHead && strings.HasPrefix(r.URL.Path, "/v2/other/app/blobs/") && !strings.Contains(r.URL.Path, configDigest(t, img).Hex):
			w.WriteHeader(http.StatusNotFound)
			return true
		case r.Method == http.MethodPost && r.URL.Query().Get("mount") != "":
			mountsMu.Lock()
			mounts = append(mounts, r.URL.Query().Get("from"))
			mountsMu.Unlock()
			w.WriteHeader(http.StatusCreated)
			return true
		}
		return false
	})
	if err := s.Tag(src.host+"/library/app:1", mustRef(t, dst.host+"/other/app:2")); err != nil {
		t.Fatal(err)
	}
	out, err = push(t, s, dst.host+"/other/app:2", PushOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, out, ids, "Mounted from team/app")
	if got := manifestDigest(t, dst.host+"/other/app:2"); got != want {
		t.Errorf("pushed manifest %s, want %s", got, want)
	}
	if len(mounts) != len(ids) || mounts[0] != "team/app" {
		t.Errorf("mount requests from %v, want one per layer from team/app", mounts)
	}
}

func itoa(n int) string { return formatInt(n) }

func formatInt(n int) string {
	var b []byte
	for n > 0 || len(b) == 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func TestPushAllTags(t *testing.T) {
	src, dst := newRegistry(t), newRegistry(t)
	a, b := simpleImage(t, "a", 1), simpleImage(t, "b", 1)
	src.push(t, "x/a:1", a)
	src.push(t, "x/b:1", b)
	s := openStore(t)
	for _, r := range []string{"x/a:1", "x/b:1"} {
		if _, err := Pull(context.Background(), s, mustRef(t, src.host+"/"+r), Options{}); err != nil {
			t.Fatal(err)
		}
	}
	s.Tag(src.host+"/x/a:1", mustRef(t, dst.host+"/y/app:v1"))
	s.Tag(src.host+"/x/b:1", mustRef(t, dst.host+"/y/app:v2"))
	out, err := push(t, s, dst.host+"/y/app", PushOptions{AllTags: true})
	if err != nil {
		t.Fatalf("push -a: %v\n%s", err, out)
	}
	for tag, img := range map[string]v1.Image{"v1": a, "v2": b} {
		want, _ := img.Digest()
		if got := manifestDigest(t, dst.host+"/y/app:"+tag); got != want {
			t.Errorf("%s: %s, want %s", tag, got, want)
		}
		if !strings.Contains(out, tag+": digest: "+want.String()) {
			t.Errorf("no digest line for %s:\n%s", tag, out)
		}
	}
}

func TestPushRecompressesWithoutSource(t *testing.T) {
	src, dst := newRegistry(t), newRegistry(t)
	img := simpleImage(t, "gone", 2)
	src.push(t, "x/gone:1", img)
	s, s2 := openStore(t), openStore(t)
	for _, s := range []*store.Store{s, s2} {
		if _, err := Pull(context.Background(), s, mustRef(t, src.host+"/x/gone:1"), Options{}); err != nil {
			t.Fatal(err)
		}
	}
	// The source loses its blobs.
	src.setHook(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.Contains(r.URL.Path, "/blobs/") {
			w.WriteHeader(http.StatusNotFound)
			return true
		}
		return false
	})
	s.Tag(src.host+"/x/gone:1", mustRef(t, dst.host+"/x/gone:1"))
	out, err := push(t, s, dst.host+"/x/gone:1", PushOptions{})
	if err != nil {
		t.Fatalf("push: %v\n%s", err, out)
	}
	// Blob checks and uploads share one authenticated client: the
	// registry is pinged once.
	if n := dst.count("GET /v2/"); n != 1 {
		t.Errorf("the push pinged the registry %d times, want once", n)
	}
	if !strings.Contains(out, "WARNING: layer ") {
		t.Errorf("no warning about compressing again:\n%s", out)
	}
	first := manifestDigest(t, dst.host+"/x/gone:1")
	// Compressed once for digest and upload, the blobs verify: every
	// layer read back matches its digest and its diffID.
	pushed, err := remote.Image(mustRef(t, dst.host+"/x/gone:1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(pushed); err != nil {
		t.Errorf("pushed image: %v", err)
	}
	if left, _ := os.ReadDir(filepath.Join(s.Root(), "tmp")); len(left) != 0 {
		t.Errorf("push left %d temporary files in the store", len(left))
	}
	// Compression depends on the layers only: another machine pushing the
	// same layers gives the same manifest.
	other := newRegistry(t)
	s2.Tag(src.host+"/x/gone:1", mustRef(t, other.host+"/x/gone:1"))
	if out, err := push(t, s2, other.host+"/x/gone:1", PushOptions{}); err != nil {
		t.Fatalf("push from a second store: %v\n%s", err, out)
	}
	if got := manifestDigest(t, other.host+"/x/gone:1"); got != first {
		t.Errorf("the same layers pushed from a second store: %s, want %s", got, first)
	}
	// The new manifest is the image's now: a push elsewhere gives it again.
	s.Tag(src.host+"/x/gone:1", mustRef(t, dst.host+"/x/again:1"))
	out, err = push(t, s, dst.host+"/x/again:1", PushOptions{})
	if err != nil {
		t.Fatalf("push: %v\n%s", err, out)
	}
	if got := manifestDigest(t, dst.host+"/x/again:1"); got != first {
		t.Errorf("second push %s, want %s", got, first)
	}
	wantStatus(t, out, diffIDs(t, img), "Layer already exists")
}

func TestPushErrors(t *testing.T) {
	dst := newRegistry(t)
	s := openStore(t)
	src := newRegistry(t)
	src.push(t, "x/a:1", simpleImage(t, "e", 1))
	if _, err := Pull(context.Background(), s, mustRef(t, src.host+"/x/a:1"), Options{}); err != nil {
		t.Fatal(err)
	}
	s.Tag(src.host+"/x/a:1", mustRef(t, dst.host+"/x/a:1"))

	if _, err := push(t, s, dst.host+"/x/missing:1", PushOptions{}); err == nil || !strings.Contains(err.Error(), "does not exist locally") {
		t.Errorf("push of a missing image: %v", err)
	}
	for _, tt := range []struct {
		code int
		body string
		want error
	}{
		{http.StatusUnauthorized, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, ErrUnauthorized},
		{http.StatusForbidden, `{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}`, ErrDenied},
	} {
		dst.setHook(func(w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path == "/v2/" {
				return false
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(tt.code)
			w.Write([]byte(tt.body))
			return true
		})
		_, err := push(t, s, dst.host+"/x/a:1", PushOptions{})
		if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), "(hint: pocket login "+dst.host) {
			t.Errorf("HTTP %d: %v, want %v with a login hint", tt.code, err, tt.want)
		}
	}
}

// TestPushUploadsLayersAtOnce: layers go up together, as dockerd's
// max-concurrent-uploads does, not one after another. The registry holds
// the end of the first layer's upload until a second layer's ends; a push
// that sent one layer at a time would keep it waiting until the hook gives
// up. (The config goes up beside the layers whatever the limit, so it
// does not count.)
func TestPushUploadsLayersAtOnce(t *testing.T) {
	src, dst := newRegistry(t), newRegistry(t)
	img := simpleImage(t, "together", 4)
	src.push(t, "x/app:1", img)
	s := openStore(t)
	if _, err := Pull(context.Background(), s, mustRef(t, src.host+"/x/app:1"), Options{}); err != nil {
		t.Fatal(err)
	}
	s.Tag(src.host+"/x/app:1", mustRef(t, dst.host+"/x/app:1"))
	var (
		mu       sync.Mutex
		started  int
		second   = make(chan struct{})
		together bool
	)
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	layer := map[string]bool{}
	for _, l := range m.Layers {
		layer[l.Digest.String()] = true
	}
	dst.setHook(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPut || !layer[r.URL.Query().Get("digest")] {
			return false
		}
		mu.Lock()
		started++
		n := started
		mu.Unlock()
		switch n {
		case 1:
			select {
			case <-second:
				together = true
			case <-time.After(20 * time.Second):
			}
		case 2:
			close(second)
		}
		return false
	})
	if out, err := push(t, s, dst.host+"/x/app:1", PushOptions{}); err != nil {
		t.Fatalf("push: %v\n%s", err, out)
	}
	if !together {
		t.Error("the push uploaded one layer at a time")
	}
	want, _ := img.Digest()
	if got := manifestDigest(t, dst.host+"/x/app:1"); got != want {
		t.Errorf("pushed %s, want %s", got, want)
	}
}

// TestCompressDeterministic: a layer's blob depends on its bytes only, not
// on how many cores compressed it, so re-pushing gives the same digest.
func TestCompressDeterministic(t *testing.T) {
	data := bytes.Repeat([]byte("pocket layer data "), 1<<18) // 4.5 MB: several blocks
	for i := range data {
		if i%7 == 0 {
			data[i] = byte(i)
		}
	}
	// Then blocks with nothing to repeat (coded otherwise), then the text
	// again: each compressor has coded other blocks before.
	rnd := rand.New(rand.NewSource(1))
	letters := make([]byte, 3*gzipBlock)
	for i := range letters {
		letters[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[rnd.Intn(36)]
	}
	data = append(append(data, letters...), data[:2*gzipBlock]...)
	var first []byte
	for _, procs := range []int{1, 4} {
		old := runtime.GOMAXPROCS(procs)
		var b bytes.Buffer
		err := compress(&b, bytes.NewReader(data))
		runtime.GOMAXPROCS(old)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(b.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		back, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("GOMAXPROCS=%d: the blob does not decompress to the layer (%v)", procs, err)
		}
		if first == nil {
			first = b.Bytes()
		} else if !bytes.Equal(first, b.Bytes()) {
			t.Errorf("GOMAXPROCS=%d gave other bytes than GOMAXPROCS=1", procs)
		}
	}
}

// derived adds to s an image with the layers of img under another config
// (what build or commit makes: no manifest, no source) and names it ref.
func derived(t *testing.T, s *store.Store, img v1.Image, label, ref string) {
	t.Helper()
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.DeepCopy()
	cfg.Config.Labels = map[string]string{"derived": label}
	raw, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddImage(nil, raw, mustRef(t, ref)); err != nil {
		t.Fatal(err)
	}
}

// layerDigests is the manifest's layer digests of ref on a registry.
func layerDigests(t *testing.T, ref string) []v1.Hash {
	t.Helper()
	img, err := remote.Image(mustRef(t, ref))
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(img); err != nil {
		t.Errorf("pushed image %s: %v", ref, err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	var ds []v1.Hash
	for _, l := range m.Layers {
		ds = append(ds, l.Digest)
	}
	return ds
}

// blobsPerRepository makes tr keep blobs per repository, as
// docker-registry does (go-containerregistry's registry shares them all
// and cannot mount): a blob is in a repository once uploaded or mounted
// there, and a mount from a repository that has it succeeds.
func (tr *testRegistry) blobsPerRepository() {
	has := map[string]bool{} // repository + " " + digest
	var mu sync.Mutex
	repoOf := func(p, sep string) string {
		r, _, _ := strings.Cut(strings.TrimPrefix(p, "/v2/"), sep)
		return r
	}
	tr.setHook(func(w http.ResponseWriter, r *http.Request) bool {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.Method == http.MethodHead && strings.Contains(r.URL.Path, "/blobs/sha256:"):
			repo := repoOf(r.URL.Path, "/blobs/")
			if !has[repo+" "+path.Base(r.URL.Path)] {
				w.WriteHeader(http.StatusNotFound)
				return true
			}
		case r.Method == http.MethodPost && r.URL.Query().Get("mount") != "":
			d, repo := r.URL.Query().Get("mount"), repoOf(r.URL.Path, "/blobs/")
			if has[r.URL.Query().Get("from")+" "+d] {
				has[repo+" "+d] = true
				w.WriteHeader(http.StatusCreated)
				return true
			}
		case r.Method == http.MethodPut && r.URL.Query().Get("digest") != "":
			has[repoOf(r.URL.Path, "/blobs/")+" "+r.URL.Query().Get("digest")] = true
		}
		return false
	})
}

// TestPushReusesRecordedBlobs: an image with no manifest of its own
// (built, committed) is pushed without compressing a layer the store knows
// a blob of. A pulled layer keeps the blob it came with: mounted from the
// repository it was pulled from, as Docker does, so the base layers of a
// built image keep their digests. A new layer is compressed straight into
// its upload, with no temporary file, and the blob it became is mounted,
// not compressed again, when another image with it goes to another
// repository of that registry.
func TestPushReusesRecordedBlobs(t *testing.T) {
	reg, other := newRegistry(t), newRegistry(t)
	reg.blobsPerRepository()
	other.blobsPerRepository()
	base := simpleImage(t, "recorded", 2)
	reg.push(t, "x/base:1", base)
	s := openStore(t)
	if _, err := Pull(context.Background(), s, mustRef(t, reg.host+"/x/base:1"), Options{}); err != nil {
		t.Fatal(err)
	}
	ids := diffIDs(t, base)
	// uploads counts the blob uploads since the last call (each push
	// uploads its new config too).
	uploads := func(tr *testRegistry) int {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		n := 0
		for _, r := range tr.seen {
			if strings.HasPrefix(r, http.MethodPatch+" ") {
				n++
			}
		}
		tr.seen = nil
		return n
	}
	uploads(reg)

	// Built on a pulled image, pushed to its registry: mounted.
	derived(t, s, base, "a", reg.host+"/x/app:1")
	out, err := push(t, s, reg.host+"/x/app:1", PushOptions{})
	if err != nil {
		t.Fatalf("push: %v\n%s", err, out)
	}
	wantStatus(t, out, ids, "Mounted from x/base")
	if diff := cmp.Diff(layerDigests(t, reg.host+"/x/base:1"), layerDigests(t, reg.host+"/x/app:1")); diff != "" {
		t.Errorf("layer digests of the built image (-base +pushed):\n%s", diff)
	}
	if n := uploads(reg); n != 1 {
		t.Errorf("%d blob uploads, want the config's only", n)
	}

	// To a registry that has none of it: compressed into the upload.
	var tmpDuringUpload []string
	var mu sync.Mutex
	perRepo := other.hook
	other.setHook(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPatch {
			// A compressed blob there (gzip's magic), not the small
			// records other layers may be writing at the time.
			entries, _ := os.ReadDir(filepath.Join(s.Root(), "tmp"))
			for _, e := range entries {
				b, _ := os.ReadFile(filepath.Join(s.Root(), "tmp", e.Name()))
				if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
					mu.Lock()
					tmpDuringUpload = append(tmpDuringUpload, e.Name())
					mu.Unlock()
				}
			}
		}
		return perRepo(w, r)
	})
	derived(t, s, base, "b", other.host+"/x/app:1")
	out, err = push(t, s, other.host+"/x/app:1", PushOptions{})
	if err != nil {
		t.Fatalf("push: %v\n%s", err, out)
	}
	wantStatus(t, out, ids, "Pushed")
	if n := uploads(other); n != len(ids)+1 {
		t.Errorf("%d blob uploads, want %d", n, len(ids)+1)
	}
	if len(tmpDuringUpload) != 0 {
		t.Errorf("compressed blobs in the store's tmp/ while uploading: %v", tmpDuringUpload)
	}
	pushed := layerDigests(t, other.host+"/x/app:1")

	// Another image with these layers, to another repository: mounted
	// from the one the blobs went to, no upload.
	derived(t, s, base, "c", other.host+"/y/app:1")
	out, err = push(t, s, other.host+"/y/app:1", PushOptions{})
	if err != nil {
		t.Fatalf("push: %v\n%s", err, out)
	}
	wantStatus(t, out, ids, "Mounted from x/app")
	if n := uploads(other); n != 1 {
		t.Errorf("%d blob uploads, want the config's only", n)
	}
	if diff := cmp.Diff(pushed, layerDigests(t, other.host+"/y/app:1")); diff != "" {
		t.Errorf("layer digests (-first +second):\n%s", diff)
	}
}

// TestStreamedLayerBody: the blob is the same whether net/http copies the
// body with WriteTo or something reads it, and the digest and size are
// the blob's once it was read to the end, not before.
func TestStreamedLayerBody(t *testing.T) {
	data := bytes.Repeat([]byte("streamed layer "), 1<<16)
	var want bytes.Buffer
	if err := compress(&want, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	wantDigest := sum(want.Bytes())
	writeTo := func(rc io.ReadCloser) ([]byte, error) {
		var b bytes.Buffer
		_, err := rc.(io.WriterTo).WriteTo(&b)
		return b.Bytes(), err
	}
	read := func(rc io.ReadCloser) ([]byte, error) { return io.ReadAll(struct{ io.Reader }{rc}) }
	for _, tt := range []struct {
		name  string
		start bool // compressing began before the body was asked for
		read  func(io.ReadCloser) ([]byte, error)
	}{
		{"WriteTo", false, writeTo},
		{"Read", false, read},
		{"started, WriteTo", true, writeTo},
		{"started, Read", true, read},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := &streamedLayer{open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
			if tt.start {
				l.start()
				defer l.abandon()
			}
			if _, err := l.Digest(); !errors.Is(err, stream.ErrNotComputed) {
				t.Errorf("digest before the upload: %v, want ErrNotComputed", err)
			}
			rc, err := l.Compressed()
			if err != nil {
				t.Fatal(err)
			}
			got, err := tt.read(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Error("the body is not the compressed layer")
			}
			d, err := l.descriptor()
			if err != nil || d.Digest != wantDigest || d.Size != int64(want.Len()) {
				t.Errorf("descriptor %+v (%v), want %s size %d", d, err, wantDigest, want.Len())
			}
		})
	}
}

// A compression started ahead ends, its layer closed, when no body takes
// it (the upload failed before its body) or the body taking it is closed
// unread; a body asked for again (a retried upload) compresses anew.
func TestStreamedLayerStartEnds(t *testing.T) {
	data := bytes.Repeat([]byte("started layer "), 1<<16)
	var want bytes.Buffer
	if err := compress(&want, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	var opened, closed atomic.Int32
	open := func() (io.ReadCloser, error) {
		opened.Add(1)
		return &closeCounter{Reader: bytes.NewReader(data), n: &closed}, nil
	}

	l := &streamedLayer{open: open}
	l.start()
	l.abandon()
	if o, c := opened.Load(), closed.Load(); o != 1 || c != 1 {
		t.Errorf("abandoned: layer opened %d, closed %d times, want 1, 1", o, c)
	}

	l = &streamedLayer{open: open}
	l.start()
	rc, err := l.Compressed()
	if err != nil {
		t.Fatal(err)
	}
	rc.Close() // unread: the request failed before its body
	if o, c := opened.Load(), closed.Load(); o != 2 || c != 2 {
		t.Errorf("body closed unread: layer opened %d, closed %d times, want 2, 2", o, c)
	}
	rc, err = l.Compressed() // the retry
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := rc.(io.WriterTo).WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	rc.Close()
	l.abandon()
	if !bytes.Equal(b.Bytes(), want.Bytes()) {
		t.Error("the retried body is not the compressed layer")
	}
	if o, c := opened.Load(), closed.Load(); o != 3 || c != 3 {
		t.Errorf("after the retry: layer opened %d, closed %d times, want 3, 3", o, c)
	}
}

type closeCounter struct {
	io.Reader
	n *atomic.Int32
}

func (c *closeCounter) Close() error {
	c.n.Add(1)
	return nil
}
