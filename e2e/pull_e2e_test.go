//go:build linux

package e2e

// Issue 2 end to end: pull, images, rmi, tag, prune, inspect, save and load,
// against the loopback registry through --registry-mirror.

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sys/unix"

	"pocket/internal/testimages"
)

func mustImage(t *testing.T, build func() (v1.Image, error)) v1.Image {
	t.Helper()
	img, err := build()
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestPullHelloWorldFromMirror(t *testing.T) {
	root := newRoot(t)
	hello := mustImage(t, testimages.Hello)
	mustPocket(t, root, "pull", "hello-world")

	r := mustPocket(t, root, "images")
	ls := lines(r.Stdout)
	if len(ls) != 2 {
		t.Fatalf("images: want a header and one row:\n%s", r.Stdout)
	}
	if diff := cmp.Diff([]string{"REPOSITORY", "TAG", "IMAGE", "ID", "CREATED", "SIZE"}, strings.Fields(ls[0])); diff != "" {
		t.Errorf("images header (-want +got):\n%s", diff)
	}
	row := strings.Fields(ls[1])
	if diff := cmp.Diff([]string{"hello-world", "latest", imageID(t, hello)}, row[:3]); diff != "" {
		t.Errorf("images row (-want +got):\n%s", diff)
	}
	checkLayers(t, root, hello)

	// Every Docker Hub spelling of the name is the same image.
	for _, ref := range []string{"hello-world:latest", "library/hello-world", "docker.io/library/hello-world:latest", imageID(t, hello)} {
		if got := inspectImage(t, root, ref)["Id"]; got != "sha256:"+mustConfigHex(t, hello) {
			t.Errorf("image inspect %s: Id %v, want sha256:%s", ref, got, mustConfigHex(t, hello))
		}
	}
}

func mustConfigHex(t *testing.T, img v1.Image) string {
	t.Helper()
	h, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	return h.Hex
}

func TestPullTwiceIsUpToDate(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "pull", "busybox")
	mustPocket(t, root, "pull", "busybox")
	if rows := imageRowsOf(t, root); len(rows) != 1 {
		t.Errorf("images after two pulls: %d rows, want 1: %v", len(rows), rows)
	}
}

func TestPullQuietPrintsReference(t *testing.T) {
	root := newRoot(t)
	r := mustPocket(t, root, "pull", "-q", "hello-world")
	// Docker prints the canonical reference and nothing else.
	if got := strings.TrimSpace(r.Stdout); got != "docker.io/library/hello-world:latest" {
		t.Errorf("pull -q printed %q, want docker.io/library/hello-world:latest", got)
	}
}

func TestImagesListing(t *testing.T) {
	root := newRoot(t)
	hello := mustImage(t, testimages.Hello)
	mustPocket(t, root, "pull", "hello-world")

	t.Run("quiet", func(t *testing.T) {
		r := mustPocket(t, root, "images", "-q")
		if diff := cmp.Diff([]string{imageID(t, hello)}, lines(r.Stdout)); diff != "" {
			t.Errorf("images -q (-want +got):\n%s", diff)
		}
	})
	t.Run("digests", func(t *testing.T) {
		r := mustPocket(t, root, "images", "--digests")
		ls := lines(r.Stdout)
		d, _ := hello.Digest()
		if len(ls) != 2 || !strings.Contains(ls[0], "DIGEST") || strings.Fields(ls[1])[2] != d.String() {
			t.Errorf("images --digests: want the manifest digest %s in the DIGEST column:\n%s", d, r.Stdout)
		}
	})
	t.Run("json", func(t *testing.T) {
		rows := imageRowsOf(t, root)
		if len(rows) != 1 {
			t.Fatalf("images --format json: %v", rows)
		}
		got := map[string]string{"Repository": rows[0]["Repository"], "Tag": rows[0]["Tag"], "ID": rows[0]["ID"]}
		want := map[string]string{"Repository": "hello-world", "Tag": "latest", "ID": imageID(t, hello)}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("images --format json (-want +got):\n%s", diff)
		}
	})
	t.Run("filter", func(t *testing.T) {
		if rows := imageRowsOf(t, root, "busybox"); len(rows) != 0 {
			t.Errorf("images busybox: %v, want none", rows)
		}
		if rows := imageRowsOf(t, root, "hello-world:latest"); len(rows) != 1 {
			t.Errorf("images hello-world:latest: %v, want one", rows)
		}
	})
}

func TestTagAndRmi(t *testing.T) {
	root := newRoot(t)
	hello := mustImage(t, testimages.Hello)
	id := mustConfigHex(t, hello)
	mustPocket(t, root, "pull", "hello-world")
	mustPocket(t, root, "tag", "hello-world", "myhello:v1")

	rows := imageRowsOf(t, root)
	var names []string
	for _, r := range rows {
		names = append(names, r["Repository"]+":"+r["Tag"]+" "+r["ID"])
	}
	want := []string{"hello-world:latest " + id[:12], "myhello:v1 " + id[:12]}
	if diff := cmp.Diff(want, sorted(names)); diff != "" {
		t.Errorf("images after tag (-want +got):\n%s", diff)
	}

	r := mustPocket(t, root, "rmi", "myhello:v1")
	if diff := cmp.Diff([]string{"Untagged: myhello:v1"}, lines(r.Stdout)); diff != "" {
		t.Errorf("rmi of one of two names (-want +got):\n%s", diff)
	}
	// Docker untags the repository's digest with its last tag.
	r = mustPocket(t, root, "rmi", "hello-world")
	d, _ := hello.Digest()
	want = []string{"Untagged: hello-world:latest", "Untagged: hello-world@" + d.String(), "Deleted: sha256:" + id}
	if diff := cmp.Diff(want, lines(r.Stdout)); diff != "" {
		t.Errorf("rmi of the last name (-want +got):\n%s", diff)
	}
	if r := mustPocket(t, root, "images", "-q"); r.Stdout != "" {
		t.Errorf("images -q after rmi: %q, want nothing", r.Stdout)
	}

	r = pocket(t, root, "rmi", "hello-world")
	if r.Code == 0 || !strings.Contains(r.Stderr, "hello-world") {
		t.Errorf("rmi of a missing image: want a non-zero exit naming it: %s", r)
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

func TestImagePruneDangling(t *testing.T) {
	root := newRoot(t)
	hello := mustImage(t, testimages.Hello)
	mustPocket(t, root, "pull", "hello-world")
	mustPocket(t, root, "pull", "busybox")
	// Moving the tag leaves the old hello-world image dangling.
	mustPocket(t, root, "tag", "busybox", "hello-world")
	var dangling int
	for _, r := range imageRowsOf(t, root) {
		if r["Repository"] == "<none>" && r["Tag"] == "<none>" && r["ID"] == imageID(t, hello) {
			dangling++
		}
	}
	if dangling != 1 {
		t.Fatalf("after re-tagging: want the old image as one <none>:<none> row: %v", imageRowsOf(t, root))
	}
	r := mustPocket(t, root, "image", "prune", "-f")
	if !strings.Contains(r.Stdout, "deleted: sha256:"+mustConfigHex(t, hello)) || !strings.Contains(r.Stdout, "Total reclaimed space:") {
		t.Errorf("image prune: want the dangling image deleted and the space reclaimed:\n%s", r)
	}
	for _, row := range imageRowsOf(t, root) {
		if row["Repository"] == "<none>" || row["ID"] == imageID(t, hello) {
			t.Errorf("after prune: %v still listed", row)
		}
	}
	s := openTestStore(t, root)
	for _, l := range mustLayers(t, hello) {
		d, _ := l.DiffID()
		if s.HasLayer(d) {
			t.Errorf("after prune: hello-world's layer %s is still stored", d)
		}
	}
	checkLayers(t, root, mustImage(t, testimages.Busybox))
}

func mustLayers(t *testing.T, img v1.Image) []v1.Layer {
	t.Helper()
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

func TestImageInspect(t *testing.T) {
	root := newRoot(t)
	bb := mustImage(t, testimages.Busybox)
	mustPocket(t, root, "pull", "busybox")
	got := inspectImage(t, root, "busybox")
	d, _ := bb.Digest()
	cf, _ := bb.ConfigFile()
	want := map[string]any{
		"Id":           "sha256:" + mustConfigHex(t, bb),
		"RepoTags":     []any{"busybox:latest"},
		"RepoDigests":  []any{"busybox@" + d.String()},
		"Os":           "linux",
		"Architecture": runtime.GOARCH,
	}
	for k := range want {
		if diff := cmp.Diff(want[k], got[k]); diff != "" {
			t.Errorf("inspect %s (-want +got):\n%s", k, diff)
		}
	}
	cfg, _ := got["Config"].(map[string]any)
	if diff := cmp.Diff([]any{"sh"}, cfg["Cmd"]); diff != "" {
		t.Errorf("inspect Config.Cmd (-want +got):\n%s", diff)
	}
	rootfs, _ := got["RootFS"].(map[string]any)
	var diffIDs []any
	for _, h := range cf.RootFS.DiffIDs {
		diffIDs = append(diffIDs, h.String())
	}
	if diff := cmp.Diff(diffIDs, rootfs["Layers"]); diff != "" {
		t.Errorf("inspect RootFS.Layers (-want +got):\n%s", diff)
	}

	r := pocket(t, root, "image", "inspect", "nosuchimage")
	if r.Code == 0 || !strings.Contains(r.Stderr, "nosuchimage") {
		t.Errorf("inspect of a missing image: want a non-zero exit naming it: %s", r)
	}
}

func TestPullBadReferences(t *testing.T) {
	// want is what the one error line must contain: the reference as typed,
	// or for a missing tag the wording, which names the canonical
	// repository ("no tag 3.99 for docker.io/library/alpine").
	for _, tc := range []struct{ name, ref, want string }{
		{"malformed", "Not//A:valid@@ref", `invalid reference format "Not//A:valid@@ref"`},
		{"uppercase", "Hello-World", "Hello-World"},
		{"missing tag", "hello-world:no-such-tag", "manifest unknown: no tag no-such-tag for docker.io/library/hello-world"},
		{"missing repository", "no-such-repo", "no-such-repo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := newRoot(t)
			// Docker's CLI exits 1 when a command other than run fails.
			r := pocket(t, root, "pull", tc.ref)
			if r.Code != 1 {
				t.Errorf("exit %d, want 1: %s", r.Code, r)
			}
			ls := lines(r.Stderr)
			if len(ls) != 1 || !strings.Contains(ls[0], tc.want) {
				t.Errorf("stderr: want one line containing %q: %s", tc.want, r)
			}
			if rows := imageRowsOf(t, root); len(rows) != 0 {
				t.Errorf("images after a failed pull: %v", rows)
			}
		})
	}
}

func TestSaveLoadKeepsImageID(t *testing.T) {
	src, dst := newRoot(t), newRoot(t)
	bb := mustImage(t, testimages.Busybox)
	mustPocket(t, src, "pull", "busybox")
	mustPocket(t, src, "tag", "busybox", "mybox:v2")
	archive := filepath.Join(t.TempDir(), "busybox.tar")
	mustPocket(t, src, "save", "-o", archive, "busybox", "mybox:v2")

	r := mustPocket(t, dst, "load", "-i", archive)
	for _, want := range []string{"Loaded image: busybox:latest", "Loaded image: mybox:v2"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("load: want %q:\n%s", want, r)
		}
	}
	before := mustPocket(t, src, "images", "-q").Stdout
	after := mustPocket(t, dst, "images", "-q").Stdout
	if before != after || strings.TrimSpace(after) != imageID(t, bb) {
		t.Errorf("IMAGE ID after save/load: %q, before %q, want %s", after, before, imageID(t, bb))
	}
	checkLayers(t, dst, bb)
}

func TestLoadDockerArchiveFromTestdata(t *testing.T) {
	root := newRoot(t)
	hello := mustImage(t, testimages.Hello)
	archive := filepath.Join(t.TempDir(), "hello.tar")
	if err := testimages.WriteDockerArchive(archive, map[string]v1.Image{"hello:latest": hello}); err != nil {
		t.Fatal(err)
	}
	r := mustPocket(t, root, "load", "-i", archive)
	if !strings.Contains(r.Stdout, "Loaded image: hello:latest") {
		t.Errorf("load: want \"Loaded image: hello:latest\":\n%s", r)
	}
	if got := strings.TrimSpace(mustPocket(t, root, "images", "-q", "hello").Stdout); got != imageID(t, hello) {
		t.Errorf("images -q hello: %q, want %s", got, imageID(t, hello))
	}
	checkLayers(t, root, hello)
}

func TestLoadOCILayout(t *testing.T) {
	root := newRoot(t)
	img := mustImage(t, testimages.Layered)
	dir := filepath.Join(t.TempDir(), "layout")
	if err := testimages.WriteOCILayout(dir, img, "ocibox:v1"); err != nil {
		t.Fatal(err)
	}
	r := mustPocket(t, root, "load", "-i", dir)
	if !strings.Contains(r.Stdout, "Loaded image: ocibox:v1") {
		t.Errorf("load of an OCI layout: want \"Loaded image: ocibox:v1\":\n%s", r)
	}
	if got := strings.TrimSpace(mustPocket(t, root, "images", "-q", "ocibox:v1").Stdout); got != imageID(t, img) {
		t.Errorf("images -q ocibox:v1: %q, want %s", got, imageID(t, img))
	}
	checkLayers(t, root, img)
}

func TestPullLayeredUnpacksLayers(t *testing.T) {
	root := newRoot(t)
	img := mustImage(t, testimages.Layered)
	mustPocket(t, root, "pull", "layered")
	checkLayers(t, root, img)
	checkWant(t, mergedRoot(t, root, "layered"), testimages.LayeredWant)
}

func TestPullMultiarch(t *testing.T) {
	for _, tc := range []struct {
		platform string
		want     v1.Platform
	}{
		{"", testimages.Host()},
		{"linux/arm64", v1.Platform{OS: "linux", Architecture: "arm64"}},
		{"linux/arm/v7", v1.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}},
	} {
		t.Run("platform="+tc.platform, func(t *testing.T) {
			root := newRoot(t)
			args := []string{"pull", "multiarch"}
			if tc.platform != "" {
				args = []string{"pull", "--platform", tc.platform, "multiarch"}
			}
			mustPocket(t, root, args...)
			got := inspectImage(t, root, "multiarch")
			if got["Os"] != tc.want.OS || got["Architecture"] != tc.want.Architecture {
				t.Errorf("inspect: %v/%v, want %s", got["Os"], got["Architecture"], testimages.PlatformString(tc.want))
			}
			b, err := os.ReadFile(filepath.Join(mergedRoot(t, root, "multiarch"), "platform"))
			if err != nil || string(b) != testimages.PlatformString(tc.want)+"\n" {
				t.Errorf("/platform: %q (%v), want %q", b, err, testimages.PlatformString(tc.want))
			}
		})
	}
	t.Run("unknown platform", func(t *testing.T) {
		r := pocket(t, newRoot(t), "pull", "--platform", "linux/s390x", "multiarch")
		if r.Code != 1 || !strings.Contains(r.Stderr, "linux/s390x") {
			t.Errorf("pull of a platform the index lacks: want exit 1 naming it: %s", r)
		}
	})
}

func TestConcurrentPullsIntoOneRoot(t *testing.T) {
	root := newRoot(t)
	const n = 10
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = pocket(t, root, "pull", "layered")
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r.Code != 0 {
			t.Errorf("pull %d of %d: %s", i, n, r)
		}
	}
	if rows := imageRowsOf(t, root); len(rows) != 1 || rows[0]["Repository"] != "layered" {
		t.Errorf("images after %d concurrent pulls: %v, want one layered row", n, rows)
	}
	img := mustImage(t, testimages.Layered)
	checkLayers(t, root, img)
	checkWant(t, mergedRoot(t, root, "layered"), testimages.LayeredWant)
	assertEmptyTmp(t, root)
}

// assertEmptyTmp checks that no temporary is left in the store.
func assertEmptyTmp(t *testing.T, root string) {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(root, "tmp"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	for _, e := range ents {
		t.Errorf("store tmp/ still holds %s", e.Name())
	}
}

// stallProxy forwards to the test registry but, for one blob, sends half of
// it and then stalls until the client goes away; stalled is closed once
// the half has been sent.
func stallProxy(t *testing.T, blob v1.Hash) (u string, stalled <-chan struct{}) {
	t.Helper()
	target, _ := url.Parse(testRegistry.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	ch := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/blobs/"+blob.String()) {
			rp.ServeHTTP(w, r)
			return
		}
		resp, err := http.Get(testRegistry.URL + r.URL.Path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", fmt.Sprint(resp.ContentLength))
		w.Header().Set("Docker-Content-Digest", blob.String())
		w.WriteHeader(http.StatusOK)
		io.CopyN(w, resp.Body, resp.ContentLength/2)
		w.(http.Flusher).Flush()
		once.Do(func() { close(ch) })
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return srv.URL, ch
}

func TestPullKilledMidLayerLeavesNothingPartial(t *testing.T) {
	root := newRoot(t)
	big, err := testimages.Big(filepath.Join(t.TempDir(), "big"), 24)
	if err != nil {
		t.Fatal(err)
	}
	if err := testRegistry.Push("library/bigkill:latest", big); err != nil {
		t.Fatal(err)
	}
	ls := mustLayers(t, big)
	stallDigest, _ := ls[1].Digest()
	proxy, stalled := stallProxy(t, stallDigest)

	cmd := exec.Command(pocketBin, "--root", root, "--registry-mirror", proxy, "pull", "bigkill")
	cmd.Env = testEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-stalled:
	case <-time.After(commandTimeout):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("pull never fetched layer %s:\n%s", stallDigest, out)
	}
	// Let the half-sent layer reach the store's temporaries (when pull
	// streams into tmp/) before the kill; proceed regardless after a while.
	for i := 0; i < 100 && dirBytes(filepath.Join(root, "tmp")) == 0; i++ {
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()

	// Nothing of the killed pull is an image, and every stored layer is whole.
	if rows := imageRowsOf(t, root); len(rows) != 0 {
		t.Errorf("images after a killed pull: %v, want none", rows)
	}
	s := openTestStore(t, root)
	d, _ := ls[1].DiffID()
	if s.HasLayer(d) {
		t.Errorf("the layer killed mid-download (%s) is in the store", d)
	}

	// A fresh pull (through the plain mirror) completes and uses only
	// whole layers.
	mustPocket(t, root, "pull", "bigkill")
	checkLayers(t, root, big)
	assertEmptyTmp(t, root)
	ents, _ := os.ReadDir(filepath.Join(root, "layers"))
	want := map[string]bool{}
	for _, l := range ls {
		d, _ := l.DiffID()
		want[d.Hex] = true
	}
	for _, e := range ents {
		if !want[e.Name()] {
			t.Errorf("store layers/ holds %s, which is no layer of the image", e.Name())
		}
	}
}

// dirBytes is the total size of regular files under dir.
func dirBytes(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

func TestPullHostileTraversalStaysInStore(t *testing.T) {
	cases, err := testimages.Hostile()
	if err != nil {
		t.Fatal(err)
	}
	var hc testimages.HostileCase
	for _, c := range cases {
		if c.Name == "hostile-traversal" {
			hc = c
		}
	}
	if err := testRegistry.Push("library/"+hc.Name+":latest", hc.Image); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(testimages.HostileEscapeDir, 0o755)
	var passwdBefore syscall.Stat_t
	syscall.Stat("/etc/passwd", &passwdBefore)

	root := newRoot(t)
	r := pocket(t, root, "pull", hc.Name)
	if r.Code != 0 && r.Code != 1 {
		t.Errorf("pull %s: exit %d, want 0 (contained) or 1 (refused): %s", hc.Name, r.Code, r)
	}
	if r.Code == 1 && len(lines(r.Stderr)) != 1 {
		t.Errorf("pull %s refused: want one line on stderr: %s", hc.Name, r)
	}
	// The store's parent, /tmp and / must hold no escaped file.
	for _, dir := range []string{filepath.Dir(root), filepath.Dir(filepath.Dir(root)), "/tmp", "/tmp/pocket-hostile", testimages.HostileEscapeDir, "/"} {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), testimages.HostileEscapeName) {
				t.Errorf("%s: %s/%s was created outside the store", hc.Must, dir, e.Name())
				os.Remove(filepath.Join(dir, e.Name()))
			}
		}
	}
	var passwdAfter syscall.Stat_t
	syscall.Stat("/etc/passwd", &passwdAfter)
	if passwdAfter.Nlink != passwdBefore.Nlink || passwdAfter.Mtim != passwdBefore.Mtim {
		t.Errorf("%s: /etc/passwd was linked to or changed", hc.Must)
	}
}

// TestPullDiskFull: a store on a disk too small for the image gets one line
// naming the disk as the cause (not the network), no retries, exit 1 and
// nothing half-written left behind.
func TestPullDiskFull(t *testing.T) {
	root := filepath.Join(t.TempDir(), "small")
	if err := os.Mkdir(root, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", root, "tmpfs", 0, "size=1m"); err != nil {
		t.Fatalf("mount a 1 MiB tmpfs: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(root, unix.MNT_DETACH) })

	r := pocket(t, root, "pull", "busybox")
	if r.Code != 1 {
		t.Fatalf("exit %d, want 1: %s", r.Code, r)
	}
	ls := lines(r.Stderr)
	if len(ls) != 1 || !strings.Contains(ls[0], "no space left on device") || !strings.Contains(ls[0], "hint: free space") {
		t.Errorf("stderr: want one line naming the full disk with a hint: %s", r)
	}
	if strings.Contains(r.Stdout, "Retrying") {
		t.Errorf("a full disk was retried like a network fault: %s", r)
	}
	for _, dir := range []string{"tmp", "layers"} {
		if left, _ := os.ReadDir(filepath.Join(root, dir)); len(left) != 0 {
			t.Errorf("%s/ after a failed pull: %v", dir, left)
		}
	}
	if rows := imageRowsOf(t, root); len(rows) != 0 {
		t.Errorf("images after a failed pull: %v", rows)
	}
}
