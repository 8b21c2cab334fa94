package pull

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"pocket/store"
)

func TestPullThroughMirrorUsesDockerHubNames(t *testing.T) {
	reg := newRegistry(t)
	img := simpleImage(t, "hello", 2)
	reg.push(t, "library/hello-world:latest", img)
	s := openStore(t)
	var out bytes.Buffer
	got, err := Pull(context.Background(), s, mustRef(t, "hello-world"), Options{Registries: Registries{Mirrors: []string{"http://" + reg.host}}, Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	if !reg.saw("GET /v2/library/hello-world/manifests/latest") {
		t.Errorf("mirror did not see /v2/library/hello-world/manifests/latest; saw %v", reg.seen)
	}
	md, _ := img.Digest()
	want := store.Image{ID: configDigest(t, img), Names: []string{"docker.io/library/hello-world:latest"},
		Digests: []string{"docker.io/library/hello-world@" + md.String()}, Layers: diffIDs(t, img)}
	if diff := cmp.Diff(want, *got, cmpImage); diff != "" {
		t.Errorf("image (-want +got):\n%s", diff)
	}
	found, err := s.FindImage("hello-world")
	if err != nil || found.ID != got.ID {
		t.Errorf("FindImage(hello-world) = %v, %v", found, err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	ls, _ := img.Layers()
	d0, _ := ls[0].Digest()
	wantLines := []string{
		"latest: Pulling from library/hello-world",
		d0.Hex[:12] + ": Pulling fs layer",
		"Digest: " + md.String(),
		"Status: Downloaded newer image for hello-world:latest",
		"docker.io/library/hello-world:latest",
	}
	for _, w := range wantLines {
		if !strings.Contains(out.String(), w+"\n") {
			t.Errorf("output lacks %q:\n%s", w, out.String())
		}
	}
	if lines[len(lines)-1] != "docker.io/library/hello-world:latest" {
		t.Errorf("last line = %q", lines[len(lines)-1])
	}

	// Pulling again fetches no layer and says so.
	out.Reset()
	if _, err := Pull(context.Background(), s, mustRef(t, "hello-world"), Options{Registries: Registries{Mirrors: []string{"http://" + reg.host}}, Out: &out}); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{d0.Hex[:12] + ": Already exists", "Status: Image is up to date for hello-world:latest"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("second pull output lacks %q:\n%s", w, out.String())
		}
	}

	// Quiet prints only the reference.
	out.Reset()
	if _, err := Pull(context.Background(), s, mustRef(t, "hello-world"), Options{Registries: Registries{Mirrors: []string{"http://" + reg.host}}, Out: &out, Quiet: true}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("docker.io/library/hello-world:latest\n", out.String()); diff != "" {
		t.Errorf("quiet output (-want +got):\n%s", diff)
	}
}

var cmpImage = cmp.FilterPath(func(p cmp.Path) bool {
	f := p.String()
	return f == "Manifest" || f == "Sources" || f == "Created" || f == "Size" || f == "Added"
}, cmp.Ignore())

func TestMirrorFallback(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close() // connection refused from now on
	broken := newRegistry(t)
	broken.setHook(func(w http.ResponseWriter, r *http.Request) bool {
		http.Error(w, "boom", http.StatusBadGateway)
		return true
	})
	reg := newRegistry(t)
	img := simpleImage(t, "fallback", 1)
	reg.push(t, "library/busybox:1.36", img)
	s := openStore(t)
	mirrors := []string{downURL, "http://" + broken.host, "http://" + reg.host}
	got, err := Pull(context.Background(), s, mustRef(t, "busybox:1.36"), Options{Registries: Registries{Mirrors: mirrors}})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != configDigest(t, img) {
		t.Errorf("ID = %s, want %s", got.ID, configDigest(t, img))
	}
}

func TestPlatformFromIndex(t *testing.T) {
	reg := newRegistry(t)
	other := "arm64"
	if runtime.GOARCH == "arm64" {
		other = "amd64"
	}
	host := imageOf(t, runtime.GOARCH, layerOf(t, "gzip", map[string]string{"host": "h"}))
	alt := imageOf(t, other, layerOf(t, "gzip", map[string]string{"alt": "a"}))
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: alt, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: other}}},
		mutate.IndexAddendum{Add: host, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: runtime.GOARCH}}},
	)
	reg.push(t, "multi/app:1", idx)
	idxDigest, _ := idx.Digest()
	ref := reg.host + "/multi/app:1"

	for _, tc := range []struct {
		platform string
		want     v1.Image
	}{
		{"", host},
		{"linux/" + other, alt},
		{"linux/" + runtime.GOARCH, host},
	} {
		t.Run("platform="+tc.platform, func(t *testing.T) {
			s := openStore(t)
			got, err := Pull(context.Background(), s, mustRef(t, ref), Options{Platform: tc.platform})
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != configDigest(t, tc.want) {
				t.Errorf("ID = %s, want %s", got.ID, configDigest(t, tc.want))
			}
			// Docker records the digest of what was pulled: the index.
			if diff := cmp.Diff([]string{ref[:strings.LastIndex(ref, ":")] + "@" + idxDigest.String()}, got.Digests); diff != "" {
				t.Errorf("Digests (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		s := openStore(t)
		_, err := Pull(context.Background(), s, mustRef(t, ref), Options{Platform: "linux/s390x"})
		if !errors.Is(err, ErrNoMatchingManifest) {
			t.Fatalf("err = %v, want ErrNoMatchingManifest", err)
		}
		for _, w := range []string{"linux/s390x", ref, "linux/" + other} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not mention %q", err, w)
			}
		}
		if imgs, _ := s.Images(); len(imgs) != 0 {
			t.Errorf("store has images after a failed pull: %v", imgs)
		}
	})
}

func TestCompressions(t *testing.T) {
	reg := newRegistry(t)
	for _, comp := range []string{"gzip", "zstd", ""} {
		t.Run("compression="+comp, func(t *testing.T) {
			img := imageOf(t, runtime.GOARCH,
				layerOf(t, comp, map[string]string{"etc/base": "base " + comp}),
				layerOf(t, comp, map[string]string{"etc/top": "top " + comp}))
			reg.push(t, "comp/x:"+map[string]string{"gzip": "gz", "zstd": "zst", "": "none"}[comp], img)
			s := openStore(t)
			ref := reg.host + "/comp/x:" + map[string]string{"gzip": "gz", "zstd": "zst", "": "none"}[comp]
			got, err := Pull(context.Background(), s, mustRef(t, ref), Options{})
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(s.LayerDir(got.Layers[1]), "etc", "top"))
			if err != nil || string(b) != "top "+comp {
				t.Errorf("etc/top = %q, %v", b, err)
			}
		})
	}
}

func TestRetries(t *testing.T) {
	img := simpleImage(t, "retry", 2)
	ls, _ := img.Layers()
	blob, _ := ls[1].Digest()
	for _, tc := range []struct {
		name string
		fail func(w http.ResponseWriter, r *http.Request)
	}{
		{"500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", http.StatusInternalServerError) }},
		{"503", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "busy", http.StatusServiceUnavailable) }},
		{"reset mid-body", func(w http.ResponseWriter, r *http.Request) {
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				return
			}
			fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nContent-Type: application/octet-stream\r\n\r\n")
			buf.Write(make([]byte, 10))
			buf.Flush()
			if tc, ok := conn.(*net.TCPConn); ok {
				tc.SetLinger(0) // RST, not FIN
			}
			conn.Close()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg := newRegistry(t)
			reg.push(t, "r/img:1", img)
			var mu sync.Mutex
			failures := map[string]int{}
			reg.setHook(func(w http.ResponseWriter, r *http.Request) bool {
				key := ""
				switch {
				case strings.HasSuffix(r.URL.Path, "/manifests/1") && r.Method == http.MethodGet:
					key = "manifest"
				case strings.HasSuffix(r.URL.Path, "/blobs/"+blob.String()):
					key = "blob"
				default:
					return false
				}
				mu.Lock()
				defer mu.Unlock()
				if failures[key] >= 2 {
					return false
				}
				failures[key]++
				tc.fail(w, r)
				return true
			})
			s := openStore(t)
			got, err := Pull(context.Background(), s, mustRef(t, reg.host+"/r/img:1"), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != configDigest(t, img) {
				t.Errorf("ID = %s", got.ID)
			}
			if failures["blob"] != 2 {
				t.Errorf("blob failures injected = %d, want 2", failures["blob"])
			}
		})
	}
}

func TestCorruptBlob(t *testing.T) {
	img := simpleImage(t, "corrupt", 2)
	ls, _ := img.Layers()
	bad, _ := ls[1].Digest()
	reg := newRegistry(t)
	reg.push(t, "c/img:1", img)
	reg.setHook(func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, "/blobs/"+bad.String()) || r.Method != http.MethodGet {
			return false
		}
		rc, _ := ls[1].Compressed()
		b, _ := io.ReadAll(rc)
		b[len(b)/2] ^= 0x40
		w.Write(b)
		return true
	})
	s := openStore(t)
	_, err := Pull(context.Background(), s, mustRef(t, reg.host+"/c/img:1"), Options{})
	if !errors.Is(err, store.ErrDigestMismatch) {
		t.Fatalf("err = %v, want a digest mismatch", err)
	}
	t.Log(err)
	if !strings.Contains(err.Error(), reg.host+"/c/img:1") {
		t.Errorf("error %q does not name the image", err)
	}
	if s.HasLayer(diffIDs(t, img)[1]) {
		t.Error("corrupt layer is in the store")
	}
	if imgs, _ := s.Images(); len(imgs) != 0 {
		t.Errorf("store has images after a failed pull: %v", imgs)
	}
}

func TestStalledBlob(t *testing.T) {
	img := simpleImage(t, "stall", 1)
	ls, _ := img.Layers()
	d, _ := ls[0].Digest()
	reg := newRegistry(t)
	reg.push(t, "s/img:1", img)
	release := make(chan struct{})
	defer close(release)
	reg.setHook(func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, "/blobs/"+d.String()) || r.Method != http.MethodGet {
			return false
		}
		w.Header().Set("Content-Length", "100000")
		w.WriteHeader(http.StatusOK)
		w.Write(make([]byte, 100))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
		return true
	})
	s := openStore(t)
	_, err := Pull(context.Background(), s, mustRef(t, reg.host+"/s/img:1"), Options{})
	if !errors.Is(err, ErrStalled) {
		t.Fatalf("err = %v, want ErrStalled", err)
	}
	t.Log(err)
	if imgs, _ := s.Images(); len(imgs) != 0 {
		t.Errorf("store has images after a failed pull: %v", imgs)
	}
}

func TestConcurrentPullsUnpackOnce(t *testing.T) {
	img := simpleImage(t, "concurrent", 3)
	reg := newRegistry(t)
	reg.push(t, "cc/img:1", img)
	root := t.TempDir()
	before := unpacks.Load()
	var wg sync.WaitGroup
	errs := make([]error, 10)
	ref := mustRef(t, reg.host+"/cc/img:1")
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := store.Open(root)
			if err != nil {
				errs[i] = err
				return
			}
			_, errs[i] = Pull(context.Background(), s, ref, Options{})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("pull %d: %v", i, err)
		}
	}
	if n := unpacks.Load() - before; n != 3 {
		t.Errorf("layers unpacked %d times, want 3 (once each)", n)
	}
	s, _ := store.Open(root)
	if got, err := s.FindImage(reg.host + "/cc/img:1"); err != nil || got.ID != configDigest(t, img) {
		t.Errorf("FindImage = %v, %v", got, err)
	}
}

func TestRegistryErrors(t *testing.T) {
	reg := newRegistry(t)
	reg.push(t, "library/alpine:3.20", simpleImage(t, "alpine", 1))
	mirror := Registries{Mirrors: []string{"http://" + reg.host}}
	for _, tc := range []struct {
		ref  string
		regs Registries
		is   error
		want string
	}{
		{reg.host + "/library/alpine:3.99", Registries{}, ErrManifestUnknown,
			"manifest unknown: no tag 3.99 for " + reg.host + "/library/alpine"},
		{"alpine:3.99", mirror, ErrManifestUnknown, "manifest unknown: no tag 3.99 for docker.io/library/alpine"},
		{reg.host + "/library/nosuch", Registries{}, ErrRepositoryUnknown,
			"repository " + reg.host + "/library/nosuch not found or access denied (hint: check the name, or log in with docker login)"},
		{"nosuch", mirror, ErrRepositoryUnknown,
			"repository docker.io/library/nosuch not found or access denied (hint: check the name, or log in with docker login)"},
	} {
		t.Run(tc.ref, func(t *testing.T) {
			_, err := Pull(context.Background(), openStore(t), mustRef(t, tc.ref), Options{Registries: tc.regs})
			if !errors.Is(err, tc.is) {
				t.Fatalf("err = %v, want %v", err, tc.is)
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("rate limit", func(t *testing.T) {
		reg.setHook(func(w http.ResponseWriter, r *http.Request) bool {
			if !strings.Contains(r.URL.Path, "/manifests/") {
				return false
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}`)
			return true
		})
		defer reg.setHook(nil)
		_, err := Pull(context.Background(), openStore(t), mustRef(t, reg.host+"/library/alpine:3.20"), Options{})
		if !errors.Is(err, ErrRateLimited) || !strings.Contains(err.Error(), "toomanyrequests: rate limit reached for "+reg.host) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		_, err := Pull(context.Background(), openStore(t), mustRef(t, "127.0.0.1:9/x/y:1"), Options{})
		if err == nil || !strings.HasPrefix(err.Error(), "pull 127.0.0.1:9/x/y:1: ") || !strings.Contains(err.Error(), "hint:") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestPlainProgressIsLineByLine(t *testing.T) {
	// Out that is not a terminal gets no escape sequences.
	reg := newRegistry(t)
	reg.push(t, "p/img:1", simpleImage(t, "plain", 1))
	var out bytes.Buffer
	if _, err := Pull(context.Background(), openStore(t), mustRef(t, reg.host+"/p/img:1"), Options{Out: &out}); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		if strings.ContainsAny(sc.Text(), "\x1b\r") {
			t.Errorf("control characters in %q", sc.Text())
		}
	}
}
