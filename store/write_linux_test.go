package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"pocket/internal/testlimit"
)

// images.json is replaced whole or not at all: a write that fails midway
// (a full disk, a killed pocket) must leave the previous index readable,
// or every image in the store is lost with it.
func TestIndexWriteIsAtomic(t *testing.T) {
	s := newStore(t)
	addImage(t, s, "a", 0, "layer-a")
	addImage(t, s, "b", 0, "layer-b")
	before, err := os.ReadFile(s.indexPath())
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.Images()
	if err != nil {
		t.Fatal(err)
	}
	// Far less than the index: the new one cannot be written whole.
	testlimit.FileSize(t, 64, func() { err = s.Tag("a", mustRef(t, "c")) })
	if !errors.Is(err, unix.EFBIG) {
		t.Fatalf("Tag with the disk full = %v, want EFBIG", err)
	}
	after, err := os.ReadFile(s.indexPath())
	if err != nil || !bytes.Equal(before, after) {
		t.Errorf("images.json after a failed write (%v):\n%s\nwant:\n%s", err, after, before)
	}
	got, err := s.Images()
	if err != nil {
		t.Fatalf("Images after a failed index write: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("images (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{}, dirNames(t, filepath.Join(s.Root(), "tmp"))); diff != "" {
		t.Errorf("tmp/ after a failed write (-want +got):\n%s", diff)
	}
	// And the store still works once there is room again.
	if err := s.Tag("a", mustRef(t, "c")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LookupImage(mustRef(t, "c")); err != nil {
		t.Error(err)
	}
}
