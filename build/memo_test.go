package build

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestHashMemoSaveUnchanged: a build that hashed nothing new and used
// every remembered file leaves the memo file as it was (a no-change
// rebuild writes nothing); one that hashed a file writes it.
func TestHashMemoSaveUnchanged(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "f")
	if err := os.WriteFile(src, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(src)
	if err != nil {
		t.Fatal(err)
	}
	e := entry{src: src, memo: memoKey(fi)}
	path := filepath.Join(dir, "memo.json")

	h := loadHashMemo(path)
	if _, err := h.sum(e); err != nil {
		t.Fatal(err)
	}
	if err := h.save(path); err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat(path)
	if err != nil {
		t.Fatalf("memo not written after a fresh hash: %v", err)
	}

	h = loadHashMemo(path)
	if _, err := h.sum(e); err != nil {
		t.Fatal(err)
	}
	if err := h.save(path); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) {
		t.Error("memo rewritten by a build that hashed nothing new")
	}
}

// TestPlanMemo: a COPY plan whose lines and files' identities were
// digested before gets the same digest without reading the per-file
// memo, a changed file (same size) misses it, and a build whose plans
// all hit keeps the per-file memo as it was.
func TestPlanMemo(t *testing.T) {
	bc := newContext(t, map[string]string{"d/f": "one", "d/g": "two", "d/l": "->f"}, "")
	path := filepath.Join(t.TempDir(), "memo.json")
	digest := func(h *hashMemo) string {
		t.Helper()
		es, _, err := bc.contextSources("d")
		if err != nil {
			t.Fatal(err)
		}
		d, err := (&copyPlan{entries: es, dest: "/dst"}).digest(h)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	h := loadHashMemo(path)
	d0 := digest(h)
	if err := h.save(path); err != nil {
		t.Fatal(err)
	}
	if d := digest(newHashMemo()); d != d0 {
		t.Fatalf("digest without memo %s, with %s", d, d0)
	}
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}

	h = loadHashMemo(path)
	if d := digest(h); d != d0 {
		t.Errorf("plan memo hit gave %s, want %s", d, d0)
	}
	if h.loaded {
		t.Error("a plan memo hit read the per-file memo")
	}
	if err := h.save(path); err != nil {
		t.Fatal(err)
	}
	if after, err := os.Stat(path); err != nil || !os.SameFile(before, after) {
		t.Errorf("per-file memo rewritten by a build whose plans hit: %v", err)
	}

	if err := os.WriteFile(filepath.Join(bc.dir, "d/g"), []byte("TWO"), 0o644); err != nil {
		t.Fatal(err)
	}
	h = loadHashMemo(path)
	d1 := digest(h)
	if d1 == d0 {
		t.Fatal("a changed file kept the digest")
	}
	if d := digest(newHashMemo()); d != d1 {
		t.Errorf("digest without memo %s, with %s", d, d1)
	}
}

// TestDigestParallel: the files a COPY plan misses in the memo are
// hashed on several goroutines (prefetch); the digest and every file's
// sum are those of hashing them one by one in order, and of the
// content read whole. A file changed after the walk listed it is
// remembered under its new identity, with its new content's sum, never
// under the identity the walk saw.
func TestDigestParallel(t *testing.T) {
	files := map[string]string{}
	for i := range 200 {
		files["d/"+itoa(i%7)+"/f"+itoa(i)] = strings.Repeat(itoa(i), 1+i*37)
	}
	bc := newContext(t, files, "")
	es, _, err := bc.contextSources("d")
	if err != nil {
		t.Fatal(err)
	}
	plan := &copyPlan{entries: es, dest: "/dst"}
	serial := newHashMemo()
	for _, e := range es {
		if _, err := serial.sum(e); err != nil {
			t.Fatal(err)
		}
	}
	want, err := plan.digest(serial) // every file known: nothing prefetched
	if err != nil {
		t.Fatal(err)
	}
	par := newHashMemo()
	got, err := plan.digest(par)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("parallel digest %s, serial %s", got, want)
	}
	if d := cmp.Diff(serial.m, par.m); d != "" {
		t.Errorf("file sums (-serial +parallel):\n%s", d)
	}
	for _, e := range es {
		if e.src == "" {
			continue
		}
		data, err := os.ReadFile(e.src)
		if err != nil {
			t.Fatal(err)
		}
		if s := sha256.Sum256(data); par.m[e.memo] != hex.EncodeToString(s[:]) {
			t.Errorf("%s: sum %s, content's %x", e.rel, par.m[e.memo], s)
		}
	}

	// Changed after the walk: same size, new content.
	var changed entry
	for _, e := range es {
		if e.src != "" {
			changed = e
			break
		}
	}
	old, err := os.ReadFile(changed.src)
	if err != nil {
		t.Fatal(err)
	}
	now := bytes.ToUpper(old)
	now[0] ^= 1
	if err := os.WriteFile(changed.src, now, 0o644); err != nil {
		t.Fatal(err)
	}
	// Another mtime whatever the clock's granularity.
	if err := os.Chtimes(changed.src, time.Unix(12345, 0), time.Unix(12345, 0)); err != nil {
		t.Fatal(err)
	}
	h := newHashMemo()
	if _, err := plan.digest(h); err != nil {
		t.Fatal(err)
	}
	if sum, ok := h.m[changed.memo]; ok {
		t.Errorf("the changed file's sum %s is remembered under the identity the walk saw", sum)
	}
	fi, err := os.Lstat(changed.src)
	if err != nil {
		t.Fatal(err)
	}
	if s := sha256.Sum256(now); h.m[memoKey(fi)] != hex.EncodeToString(s[:]) {
		t.Errorf("changed file remembered as %q, want its new content's %x", h.m[memoKey(fi)], s)
	}
}

// BenchmarkDigestCold digests a COPY of 2,000 files of 1.5 kB with an
// empty memo, as a cold build's COPY does.
func BenchmarkDigestCold(b *testing.B) {
	dir := b.TempDir()
	for p := range 40 {
		d := filepath.Join(dir, "src", "pkg"+itoa(p))
		if err := os.MkdirAll(d, 0o755); err != nil {
			b.Fatal(err)
		}
		for m := range 50 {
			if err := os.WriteFile(filepath.Join(d, "mod"+itoa(m)+".py"), bytes.Repeat([]byte("x"), 1500), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	pm, err := readIgnore(filepath.Join(dir, ".dockerignore"))
	if err != nil {
		b.Fatal(err)
	}
	bc := &buildContext{dir: dir, ignore: pm}
	es, _, err := bc.contextSources("src")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := (&copyPlan{entries: es, dest: "/app/src"}).digest(newHashMemo()); err != nil {
			b.Fatal(err)
		}
	}
}
