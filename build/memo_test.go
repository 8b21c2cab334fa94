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
