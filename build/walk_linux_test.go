package build

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWalkTreeAsWalkDir: walkTree visits what filepath.WalkDir visits,
// in the same order, with the same lstat, skipping what fn skips, a
// symlinked directory listed as a link and never entered.
func TestWalkTreeAsWalkDir(t *testing.T) {
	top := t.TempDir()
	for _, d := range []string{"a/b/c", "a/skip/deep", "z", "m/n"} {
		if err := os.MkdirAll(filepath.Join(top, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for i, f := range []string{"a/f", "a/b/c/g", "a/skip/deep/h", "z/1", "z/10", "z/2", "m/n/x", "top"} {
		if err := os.WriteFile(filepath.Join(top, f), make([]byte, i), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("../a", filepath.Join(top, "m/link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(top, "z/2"), 0o4755); err != nil {
		t.Fatal(err)
	}
	skip := func(p string) bool { return filepath.Base(p) == "skip" }
	type seen struct {
		Rel  string
		Mode fs.FileMode
		Size int64
		Key  string
	}
	var want []seen
	err := filepath.WalkDir(top, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := de.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(top, p)
		if de.IsDir() && skip(p) {
			return filepath.SkipDir
		}
		want = append(want, seen{rel, fi.Mode(), fi.Size(), memoKey(fi)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(top)
	if err != nil {
		t.Fatal(err)
	}
	var got []seen
	n := 0
	err = walkTree(top, fi, skip, func(k int) { n = k }, func(p string, fi os.FileInfo) error {
		rel, _ := filepath.Rel(top, p)
		if fi.IsDir() && skip(p) {
			return filepath.SkipDir
		}
		got = append(got, seen{rel, fi.Mode(), fi.Size(), memoKey(fi)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("walk (-WalkDir +walkTree):\n%s", diff)
	}
	if n != len(want)+1 { // the skipped directory is listed, not entered
		t.Errorf("sized told %d files, want %d", n, len(want)+1)
	}
}
