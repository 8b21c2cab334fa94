package build

import (
	"os"
	"path/filepath"
	"testing"
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
