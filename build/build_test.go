package build

import (
	"archive/tar"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

func TestCleanSource(t *testing.T) {
	for _, tc := range []struct {
		src, want string
		err       error
	}{
		{src: "a/b", want: "a/b"},
		{src: "./a/../b", want: "b"},
		{src: "/abs/x", want: "abs/x"},
		{src: ".", want: "."},
		{src: "../x", err: ErrOutsideContext},
		{src: "a/../../x", err: ErrOutsideContext},
		{src: "..", err: ErrOutsideContext},
	} {
		t.Run(tc.src, func(t *testing.T) {
			got, err := cleanSource(tc.src)
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Errorf("cleanSource(%q) = %q, %v; want %q, %v", tc.src, got, err, tc.want, tc.err)
			}
		})
	}
}

func TestCacheKey(t *testing.T) {
	base := cacheKey("p", "RUN", "echo")
	for _, tc := range []struct {
		name string
		key  string
		same bool
	}{
		{"same input", cacheKey("p", "RUN", "echo"), true},
		{"other parent", cacheKey("q", "RUN", "echo"), false},
		{"other text", cacheKey("p", "RUN", "echo x"), false},
		// Parts are length-prefixed: moving a boundary changes the key.
		{"shifted boundary", cacheKey("p", "RUNe", "cho"), false},
		{"extra empty part", cacheKey("p", "RUN", "echo", ""), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if (tc.key == base) != tc.same {
				t.Errorf("key %s vs %s: same=%v, want %v", tc.key, base, tc.key == base, tc.same)
			}
		})
	}
}

// writeFiles makes a directory tree: content "->x" is a symlink to x.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if len(content) > 2 && content[:2] == "->" {
			if err := os.Symlink(content[2:], p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func newContext(t *testing.T, files map[string]string, ignore string) *buildContext {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, files)
	p := filepath.Join(dir, ".dockerignore")
	if ignore != "" {
		os.WriteFile(p, []byte(ignore), 0o644)
	}
	pm, err := readIgnore(p)
	if err != nil {
		t.Fatal(err)
	}
	return &buildContext{dir: dir, ignore: pm}
}

func rels(es []entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.rel)
	}
	return out
}

// TestContextSourcesHostile: the context's symlinks are copied as links
// and never followed out of it (CVE-2019-14271 and the builder breakouts
// of its kind: a source must not read the host).
func TestContextSourcesHostile(t *testing.T) {
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o600)
	bc := newContext(t, map[string]string{
		"link":       "->" + filepath.Join(outside, "secret"),
		"dirlink":    "->" + outside,
		"rel":        "->../../../../../../" + outside + "/secret",
		"d/ok":       "ok",
		"d/up":       "->../../..",
		"d/in/deep":  "x",
		"d/in/ign.x": "x",
	}, "**/*.x\n")

	es, _, err := bc.contextSources("link")
	if err != nil || len(es) != 1 || es[0].hdr.Typeflag != tar.TypeSymlink || es[0].src != "" {
		t.Fatalf("COPY link: %+v, %v; want the link itself", es, err)
	}
	if _, _, err := bc.contextSources("dirlink/secret"); err == nil {
		t.Errorf("COPY dirlink/secret: found, want not found (resolved inside the context)")
	}
	if _, _, err := bc.contextSources("../x"); !errors.Is(err, ErrOutsideContext) {
		t.Errorf("COPY ../x: %v, want ErrOutsideContext", err)
	}
	es, isDir, err := bc.contextSources("d")
	if err != nil || !isDir {
		t.Fatalf("COPY d: %v", err)
	}
	if diff := cmp.Diff([]string{".", "in", "in/deep", "ok", "up"}, rels(es)); diff != "" {
		t.Errorf("COPY d entries (-want +got):\n%s", diff)
	}
	for _, e := range es {
		if e.rel == "up" && (e.hdr.Typeflag != tar.TypeSymlink || e.hdr.Linkname != "../../..") {
			t.Errorf("d/up copied as %+v, want the link", e.hdr)
		}
	}
}

// TestDockerignoreException: `!` brings a file back from an ignored
// directory, with Docker's pattern semantics.
func TestDockerignoreException(t *testing.T) {
	bc := newContext(t, map[string]string{"ign/drop": "x", "ign/keep": "k", "a.log": "l", "b/c.log": "l", "src/s": "s"},
		"ign\n!ign/keep\n*.log\n")
	es, _, err := bc.contextSources(".")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{".", ".dockerignore", "b", "b/c.log", "ign", "ign/keep", "src", "src/s"}
	if diff := cmp.Diff(want, rels(es)); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
}

// TestCopyDigest: the COPY cache key sees contents, modes, owners and
// link targets, never times.
func TestCopyDigest(t *testing.T) {
	bc := newContext(t, map[string]string{"d/f": "one", "d/l": "->f"}, "")
	digest := func() string {
		t.Helper()
		es, _, err := bc.contextSources("d")
		if err != nil {
			t.Fatal(err)
		}
		p := &copyPlan{entries: es, dest: "/dst"}
		d, err := p.digest(newHashMemo())
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	f := filepath.Join(bc.dir, "d/f")
	d0 := digest()
	old := time.Unix(1000, 0)
	os.Chtimes(f, old, old)
	if d := digest(); d != d0 {
		t.Errorf("a new mtime changed the digest")
	}
	for _, tc := range []struct {
		name   string
		change func()
	}{
		{"content", func() { os.WriteFile(f, []byte("two"), 0o644) }},
		{"mode", func() { os.Chmod(f, 0o600) }},
		{"link target", func() { os.Remove(filepath.Join(bc.dir, "d/l")); os.Symlink("g", filepath.Join(bc.dir, "d/l")) }},
		{"new file", func() { os.WriteFile(filepath.Join(bc.dir, "d/n"), nil, 0o644) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := digest()
			tc.change()
			if digest() == before {
				t.Errorf("%s did not change the digest", tc.name)
			}
		})
	}
}

// TestResolveDest: a COPY destination is resolved in the image's merged
// layers as if / were the image's root: an absolute symlink planted in
// a lower layer leads into the image, never to the host
// (CVE-2018-15664's kind), and whiteouts and opaque directories hide
// what is below them.
func TestResolveDest(t *testing.T) {
	lower, upper := t.TempDir(), t.TempDir()
	writeFiles(t, lower, map[string]string{
		"etc/passwd": "x",
		"escape":     "->/",
		"up":         "->../../../../..",
		"gone/f":     "x",
		"opaque/old": "x",
		"app/data":   "x",
		"linkdir":    "->/app",
	})
	writeFiles(t, upper, map[string]string{"opaque/new": "y"})
	if err := unix.Mknod(filepath.Join(upper, "gone"), unix.S_IFCHR, 0); err != nil {
		t.Fatalf("mknod whiteout (needs root): %v", err)
	}
	if err := unix.Setxattr(filepath.Join(upper, "opaque"), "trusted.overlay.opaque", []byte("y"), 0); err != nil {
		t.Fatalf("opaque xattr (needs root): %v", err)
	}
	lfs := &layerFS{dirs: []string{upper, lower}}
	for _, tc := range []struct{ dest, want string }{
		{"/escape/etc/x", "/etc/x"},
		{"/up/tmp", "/tmp"},
		{"/linkdir/f", "/app/f"},
		{"/app", "/app"},
	} {
		got, err := resolveDest(lfs, tc.dest)
		if err != nil || got != tc.want {
			t.Errorf("resolveDest(%s) = %q, %v; want %q", tc.dest, got, err, tc.want)
		}
	}
	for _, p := range []string{"/gone", "/gone/f", "/opaque/old"} {
		if _, err := lfs.Lstat(p); err == nil {
			t.Errorf("%s is visible, want hidden", p)
		}
	}
	for _, p := range []string{"/opaque/new", "/app/data", "/etc/passwd"} {
		if _, err := lfs.Lstat(p); err != nil {
			t.Errorf("%s: %v, want visible", p, err)
		}
	}
}

// TestCopyDigestDirSource: a directory source (whose own entry maps to
// the destination itself) still has its files' contents in the digest.
func TestCopyDigestDirSource(t *testing.T) {
	bc := newContext(t, map[string]string{"src/in": "line\n"}, "")
	digest := func() string {
		t.Helper()
		es, _, err := bc.contextSources("src")
		if err != nil {
			t.Fatal(err)
		}
		d, err := (&copyPlan{entries: es, dest: "/"}).digest(newHashMemo())
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	before := digest()
	os.WriteFile(filepath.Join(bc.dir, "src/in"), []byte("changed\n"), 0o644)
	if digest() == before {
		t.Error("a changed file under a directory source left the digest as it was")
	}
}
