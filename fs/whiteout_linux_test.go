package fs

import (
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

func wantOpaque(t *testing.T, p, key string) {
	t.Helper()
	buf := make([]byte, 16)
	n, err := unix.Lgetxattr(p, key, buf)
	if err != nil || string(buf[:n]) != "y" {
		t.Errorf("getxattr %s %s = %q, %v; want \"y\"", p, key, buf[:max(n, 0)], err)
	}
}

func TestWhiteoutFormat(t *testing.T) {
	tests := []struct {
		name    string
		entries []ent
		o       Options
		key     string
	}{{
		name:    "opaque before files",
		entries: []ent{dir("b/"), file("b/.wh..wh..opq", ""), file("b/new", "n"), file("a/.wh.x", "")},
		key:     DefaultOpaqueXattr,
	}, {
		name:    "opaque after files",
		entries: []ent{dir("b/"), file("b/new", "n"), file("a/.wh.x", ""), file("b/.wh..wh..opq", "")},
		key:     DefaultOpaqueXattr,
	}, {
		name:    "opaque before its directory",
		entries: []ent{file("b/.wh..wh..opq", ""), dir("b/"), file("b/new", "n"), dir("a/"), file("a/.wh.x", "")},
		key:     DefaultOpaqueXattr,
	}, {
		name:    "user xattr",
		entries: []ent{file("b/.wh..wh..opq", ""), file("b/new", "n"), file("a/.wh.x", "")},
		o:       Options{OpaqueXattr: "user.overlay.opaque"},
		key:     "user.overlay.opaque",
	}, {
		name:    "whiteout replaces earlier entry",
		entries: []ent{file("a/x", "old"), file("a/.wh.x", ""), file("b/new", "n"), file("b/.wh..wh..opq", "")},
		key:     DefaultOpaqueXattr,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := unpackBytes(t, mkTar(t, tc.entries...), tc.o)
			wantWhiteout(t, filepath.Join(d, "a/x"))
			wantOpaque(t, filepath.Join(d, "b"), tc.key)
			wantEntries(t, filepath.Join(d, "b"), "new")
			wantEntries(t, filepath.Join(d, "a"), "x")
		})
	}
}

// TestOverlayMount checks the output is what the kernel's overlayfs reads
// as a lower layer: a whiteout hides a lower file, an opaque directory
// hides the lower directory's contents but keeps its own.
func TestOverlayMount(t *testing.T) {
	lower := unpackBytes(t, mkTar(t,
		dir("a/"), file("a/x", "x"), file("a/keep", "k"),
		dir("b/"), file("b/y", "y"),
		dir("c/"), file("c/z", "z"),
	), Options{})
	upper := unpackBytes(t, mkTar(t,
		dir("a/"), file("a/.wh.x", ""),
		dir("b/"), file("b/.wh..wh..opq", ""), file("b/new", "new"),
	), Options{})

	mnt := t.TempDir()
	opts := "lowerdir=" + upper + ":" + lower
	if err := unix.Mount("overlay", mnt, "overlay", unix.MS_RDONLY, opts); err != nil {
		t.Fatalf("mount overlay %s: %v", opts, err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(mnt, unix.MNT_DETACH); err != nil {
			t.Errorf("unmount: %v", err)
		}
	})

	wantEntries(t, mnt, "a", "b", "c")
	wantEntries(t, filepath.Join(mnt, "a"), "keep")
	wantEntries(t, filepath.Join(mnt, "b"), "new")
	wantEntries(t, filepath.Join(mnt, "c"), "z")
	wantContent(t, filepath.Join(mnt, "b/new"), "new")
	wantContent(t, filepath.Join(mnt, "c/z"), "z")
}
