package store

import (
	"archive/tar"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	pfs "pocket/fs"
)

// verifyTar is a layer with what a CI cache's tar may lose: owners, a
// setuid mode, mtimes, a whiteout and an opaque directory.
func verifyTar(t *testing.T) []byte {
	t.Helper()
	mtime := time.Unix(1700000000, 0)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range []*tar.Header{
		{Name: "etc/", Typeflag: tar.TypeDir, Mode: 0o755, ModTime: mtime},
		{Name: "etc/hello", Typeflag: tar.TypeReg, Mode: 0o644, Size: 13, ModTime: mtime, Uid: 0, Gid: 0},
		{Name: "etc/owned", Typeflag: tar.TypeReg, Mode: 0o4755, Size: 0, ModTime: mtime, Uid: 1000, Gid: 1000},
		{Name: "etc/.wh.gone", Typeflag: tar.TypeReg, ModTime: mtime},
		{Name: "opq/", Typeflag: tar.TypeDir, Mode: 0o755, ModTime: mtime},
		{Name: "opq/.wh..wh..opq", Typeflag: tar.TypeReg, ModTime: mtime},
	} {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Name == "etc/hello" {
			tw.Write([]byte("hello, world\n"))
		}
	}
	tw.Close()
	return buf.Bytes()
}

func inode(t *testing.T, p string) uint64 {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

// TestCheckLayer damages a stored layer as copies and CI caches do, and
// checks that CheckLayer restores what metadata was lost (from the layer's
// own verified tar), refuses content that is not the layer's (removing
// it, so it is fetched again), and leaves an intact layer alone.
func TestCheckLayer(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the layer has owners, whiteouts and trusted.* xattrs")
	}
	data := verifyTar(t)
	d := sha(string(data))
	outside := t.TempDir()
	os.MkdirAll(filepath.Join(outside, "etc"), 0o755)
	os.WriteFile(filepath.Join(outside, "etc", "hello"), []byte("hello, world\n"), 0o600)
	for _, tc := range []struct {
		name    string
		damage  func(t *testing.T, dir string)
		rebuilt bool  // a new tree replaces the old
		wantErr error // ErrLayerDamaged: removed
	}{
		{name: "untouched"},
		// A copy: same content, new inodes: hashed, not rebuilt.
		{name: "copied", damage: func(t *testing.T, dir string) {}},
		{name: "mode", damage: func(t *testing.T, dir string) { os.Chmod(filepath.Join(dir, "etc/owned"), 0o755) }, rebuilt: true},
		{name: "owner", damage: func(t *testing.T, dir string) { os.Lchown(filepath.Join(dir, "etc/owned"), 0, 0) }, rebuilt: true},
		{name: "mtime", damage: func(t *testing.T, dir string) {
			os.Chtimes(filepath.Join(dir, "etc/hello"), time.Now(), time.Now())
		}, rebuilt: true},
		{name: "whiteout", damage: func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "etc/gone")) }, rebuilt: true},
		{name: "opaque", damage: func(t *testing.T, dir string) {
			unix.Lremovexattr(filepath.Join(dir, "opq"), pfs.DefaultOpaqueXattr)
		}, rebuilt: true},
		{name: "truncated", damage: func(t *testing.T, dir string) { os.Truncate(filepath.Join(dir, "etc/hello"), 5) }, wantErr: ErrLayerDamaged},
		{name: "missing", damage: func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "etc/hello")) }, wantErr: ErrLayerDamaged},
		{name: "changed", damage: func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "etc/hello"), []byte("HELLO, WORLD\n"), 0o644)
		}, wantErr: ErrLayerDamaged},
		// A restored tree whose directory became a symlink out of the
		// store: nothing outside is read as the layer or changed.
		{name: "symlinked dir", damage: func(t *testing.T, dir string) {
			os.RemoveAll(filepath.Join(dir, "etc"))
			os.Symlink(filepath.Join(outside, "etc"), filepath.Join(dir, "etc"))
		}, wantErr: ErrLayerDamaged},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			if err := s.PutLayer(d, unpackFill(data)); err != nil {
				t.Fatal(err)
			}
			dir := s.LayerDir(d)
			before := inode(t, dir)
			if tc.damage != nil {
				tc.damage(t, dir)
				// As the copy or restore that did the damage would: the
				// tree has new inodes, so the stamp no longer matches.
				os.Remove(filepath.Join(filepath.Dir(dir), layerChecked))
			}
			err := s.CheckLayer(d, pfs.Options{})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("CheckLayer = %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr != nil {
				if s.HasLayer(d) {
					t.Error("a damaged layer is still in the store")
				}
				if fi, _ := os.Stat(filepath.Join(outside, "etc", "hello")); fi.Mode().Perm() != 0o600 {
					t.Errorf("a file outside the store changed: %v", fi.Mode())
				}
				return
			}
			if got := inode(t, s.LayerDir(d)) != before; got != tc.rebuilt {
				t.Errorf("rebuilt = %v, want %v", got, tc.rebuilt)
			}
			// Whatever happened, the tree is as a pull leaves it now.
			fi, err := os.Lstat(filepath.Join(s.LayerDir(d), "etc/owned"))
			if err != nil {
				t.Fatal(err)
			}
			if st := fi.Sys().(*syscall.Stat_t); st.Uid != 1000 || st.Mode&0o7777 != 0o4755 {
				t.Errorf("etc/owned: uid %d mode %o", st.Uid, st.Mode&0o7777)
			}
			if problem, err := s.verifyLayer(d, pfs.Options{}); problem != "" || err != nil {
				t.Errorf("after CheckLayer: %q, %v", problem, err)
			}
			if !s.stamped(d.Hex) {
				t.Error("not stamped as checked")
			}
			// Checked once: the next call is a stat and a read.
			if err := s.CheckLayer(d, pfs.Options{}); err != nil {
				t.Error(err)
			}
		})
	}
}
