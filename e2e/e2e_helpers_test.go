//go:build linux

package e2e

// Helpers shared by the end-to-end tests: reading what a pull left in the
// store and comparing it with the image that was pushed.

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sys/unix"

	"pocket/internal/testimages"
	"pocket/store"
)

// imageID is Docker's short IMAGE ID (12 hex digits of the config digest).
func imageID(t *testing.T, img v1.Image) string {
	t.Helper()
	h, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	return h.Hex[:12]
}

// lines splits output into non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// imageRowsOf parses `pocket images --format json`.
func imageRowsOf(t *testing.T, root string, args ...string) []map[string]string {
	t.Helper()
	r := mustPocket(t, root, append([]string{"images", "--format", "json"}, args...)...)
	var rows []map[string]string
	for _, l := range lines(r.Stdout) {
		var m map[string]string
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("images --format json line %q: %v", l, err)
		}
		rows = append(rows, m)
	}
	return rows
}

// inspectImage runs `pocket image inspect ref` and returns its one object.
func inspectImage(t *testing.T, root, ref string) map[string]any {
	t.Helper()
	r := mustPocket(t, root, "image", "inspect", ref)
	var out []map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &out); err != nil || len(out) != 1 {
		t.Fatalf("image inspect %s: %v: %s", ref, err, r.Stdout)
	}
	return out[0]
}

// openStore opens a test's store root (after pocket made it).
func openTestStore(t *testing.T, root string) *store.Store {
	t.Helper()
	s, err := store.Open(root)
	if err != nil {
		t.Fatalf("open store %s: %v", root, err)
	}
	return s
}

// checkLayers asserts that every layer of img is unpacked in the store
// exactly as its tar says: regular files with the same bytes, links with
// the same targets, owners and modes kept, whiteouts in overlay form.
func checkLayers(t *testing.T, root string, img v1.Image) {
	t.Helper()
	s := openTestStore(t, root)
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range ls {
		d, _ := l.DiffID()
		if !s.HasLayer(d) {
			t.Errorf("layer %d (%s) is not in the store", i, d)
			continue
		}
		checkLayer(t, s.LayerDir(d), l)
	}
}

func checkLayer(t *testing.T, dir string, l v1.Layer) {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Clean("/" + h.Name)
		base := filepath.Base(name)
		p := filepath.Join(dir, name)
		if base == ".wh..wh..opq" {
			v := make([]byte, 8)
			n, err := unix.Lgetxattr(filepath.Dir(p), "trusted.overlay.opaque", v)
			if err != nil || string(v[:n]) != "y" {
				t.Errorf("%s: opaque directory without trusted.overlay.opaque=y (%v)", filepath.Dir(name), err)
			}
			continue
		}
		if strings.HasPrefix(base, ".wh.") {
			wp := filepath.Join(filepath.Dir(p), strings.TrimPrefix(base, ".wh."))
			var st unix.Stat_t
			if err := unix.Lstat(wp, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != 0 {
				t.Errorf("%s: whiteout is not a 0/0 character device (%v)", name, err)
			}
			continue
		}
		fi, err := os.Lstat(p)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		st := fi.Sys().(*syscall.Stat_t)
		if int(st.Uid) != h.Uid || int(st.Gid) != h.Gid {
			t.Errorf("%s: owner %d:%d, want %d:%d", name, st.Uid, st.Gid, h.Uid, h.Gid)
		}
		switch h.Typeflag {
		case tar.TypeReg:
			if mode := uint32(st.Mode) & 0o7777; mode != uint32(h.Mode)&0o7777 {
				t.Errorf("%s: mode %o, want %o", name, mode, h.Mode&0o7777)
			}
			want := sha256.New()
			io.Copy(want, tr)
			got, err := fileSum(p)
			if err != nil || !bytes.Equal(got, want.Sum(nil)) {
				t.Errorf("%s: content differs from the layer's (%v)", name, err)
			}
		case tar.TypeDir:
			if !fi.IsDir() {
				t.Errorf("%s: not a directory", name)
			}
		case tar.TypeSymlink:
			if got, _ := os.Readlink(p); got != h.Linkname {
				t.Errorf("%s: symlink to %q, want %q", name, got, h.Linkname)
			}
		case tar.TypeLink:
			target, err := os.Lstat(filepath.Join(dir, filepath.Clean("/"+h.Linkname)))
			if err != nil || !os.SameFile(fi, target) {
				t.Errorf("%s: not a hard link of %s (%v)", name, h.Linkname, err)
			}
		}
	}
}

func fileSum(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	_, err = io.Copy(h, f)
	return h.Sum(nil), err
}

// mergedRoot mounts the image's layers from the store as one read-only
// overlay (what a container sees) and returns its directory; it is
// unmounted when the test ends.
func mergedRoot(t *testing.T, root, ref string) string {
	t.Helper()
	s := openTestStore(t, root)
	img, err := s.FindImage(ref)
	if err != nil {
		t.Fatalf("lookup %s: %v", ref, err)
	}
	var lower []string
	for i := len(img.Layers) - 1; i >= 0; i-- {
		lower = append(lower, s.LayerDir(img.Layers[i]))
	}
	if len(lower) == 1 {
		return lower[0] // overlay needs two lowers; one layer is its own view
	}
	mnt := t.TempDir()
	if err := unix.Mount("overlay", mnt, "overlay", unix.MS_RDONLY, "lowerdir="+strings.Join(lower, ":")); err != nil {
		t.Fatalf("mount overlay of %s: %v", ref, err)
	}
	t.Cleanup(func() { unix.Unmount(mnt, unix.MNT_DETACH) })
	return mnt
}

// checkWant asserts facts about a merged root.
func checkWant(t *testing.T, root string, wants []testimages.Want) {
	t.Helper()
	for _, w := range wants {
		p := filepath.Join(root, w.Path)
		fi, err := os.Lstat(p)
		if w.Kind == "absent" {
			if !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s: present (%v), want absent", w.Path, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", w.Path, err)
			continue
		}
		kind := map[fs.FileMode]string{0: "file", fs.ModeDir: "dir", fs.ModeSymlink: "symlink"}[fi.Mode().Type()]
		if kind != w.Kind {
			t.Errorf("%s: a %s (%v), want a %s", w.Path, kind, fi.Mode(), w.Kind)
			continue
		}
		st := fi.Sys().(*syscall.Stat_t)
		if w.Mode != 0 && uint32(st.Mode)&0o7777 != w.Mode {
			t.Errorf("%s: mode %o, want %o", w.Path, st.Mode&0o7777, w.Mode)
		}
		if int(st.Uid) != w.UID || int(st.Gid) != w.GID {
			t.Errorf("%s: owner %d:%d, want %d:%d", w.Path, st.Uid, st.Gid, w.UID, w.GID)
		}
		if w.Content != "" {
			if b, err := os.ReadFile(p); err != nil || string(b) != w.Content {
				t.Errorf("%s: content %q (%v), want %q", w.Path, b, err, w.Content)
			}
		}
		if w.Link != "" {
			if l, _ := os.Readlink(p); l != w.Link {
				t.Errorf("%s: symlink to %q, want %q", w.Path, l, w.Link)
			}
		}
		if w.SameAs != "" {
			// Overlay reports lower-layer hard links with their real inode
			// numbers when both names come from one layer.
			other, err := os.Lstat(filepath.Join(root, w.SameAs))
			if err != nil || !os.SameFile(fi, other) {
				t.Errorf("%s: not the same file as %s (%v)", w.Path, w.SameAs, err)
			}
		}
	}
}

// mountinfoEntry is one line of /proc/self/mountinfo (proc(5)).
type mountinfoEntry struct {
	id, parent, dev, root, point, opts, fstype string
}

func parseMountinfo(t *testing.T, s string) []mountinfoEntry {
	t.Helper()
	var out []mountinfoEntry
	for _, l := range lines(s) {
		// Optional fields end at a lone "-"; the filesystem type follows.
		pre, post, ok := strings.Cut(l, " - ")
		f, g := strings.Fields(pre), strings.Fields(post)
		if !ok || len(f) < 6 || len(g) < 1 {
			t.Fatalf("mountinfo line %q", l)
		}
		out = append(out, mountinfoEntry{id: f[0], parent: f[1], dev: f[2], root: f[3], point: f[4], opts: f[5], fstype: g[0]})
	}
	return out
}
