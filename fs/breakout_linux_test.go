package fs

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// breakout is one hostile layer. The layer is unpacked into parent/dir
// next to parent/outside; nothing but dir may change. Entries are built
// by a function of parent so they can name absolute host paths.
type breakout struct {
	name    string
	entries func(parent string) []ent
	o       Options
	wantErr error // nil: Unpack must succeed; errAny: any error
	check   func(t *testing.T, parent, dir string)
}

var errAny = errors.New("any error")

func breakouts() []breakout {
	return []breakout{{
		name: "dotdot escape is clamped",
		entries: func(string) []ent {
			return []ent{file("../outside/sentinel", "pwned"), file("../../../escaped", "pwned")}
		},
		check: func(t *testing.T, _, dir string) {
			wantContent(t, filepath.Join(dir, "outside/sentinel"), "pwned")
			wantContent(t, filepath.Join(dir, "escaped"), "pwned")
		},
	}, {
		name: "absolute path is clamped",
		entries: func(parent string) []ent {
			return []ent{file(parent+"/outside/sentinel", "pwned")}
		},
		check: func(t *testing.T, parent, dir string) {
			wantContent(t, filepath.Join(dir, parent, "outside/sentinel"), "pwned")
		},
	}, {
		name: "write through symlink to root",
		entries: func(parent string) []ent {
			return []ent{symlink("root", "/"), file("root"+parent+"/outside/sentinel", "pwned")}
		},
		check: func(t *testing.T, parent, dir string) {
			wantLink(t, filepath.Join(dir, "root"), "/")
			wantContent(t, filepath.Join(dir, parent, "outside/sentinel"), "pwned")
		},
	}, {
		name: "write through relative symlink climbing out",
		entries: func(string) []ent {
			return []ent{symlink("lnk", "../../outside"), file("lnk/sentinel", "pwned"), dir("lnk/sub/")}
		},
		check: func(t *testing.T, _, dir string) {
			wantLink(t, filepath.Join(dir, "lnk"), "../../outside")
			wantContent(t, filepath.Join(dir, "outside/sentinel"), "pwned")
			wantDir(t, filepath.Join(dir, "outside/sub"))
		},
	}, {
		name: "write through symlink chain",
		entries: func(parent string) []ent {
			return []ent{
				symlink("a", "b"), symlink("b", "../c"), symlink("c", parent+"/outside"),
				file("a/sentinel", "pwned"),
			}
		},
		check: func(t *testing.T, parent, dir string) {
			wantContent(t, filepath.Join(dir, parent, "outside/sentinel"), "pwned")
		},
	}, {
		name: "symlink loop",
		entries: func(string) []ent {
			return []ent{symlink("a", "b"), symlink("b", "a"), file("a/x", "pwned")}
		},
		wantErr: errAny,
	}, {
		name: "hardlink to absolute outside path",
		entries: func(parent string) []ent {
			return []ent{hardlink("passwd", parent+"/outside/sentinel")}
		},
		wantErr: errAny,
	}, {
		name: "hardlink to relative outside path",
		entries: func(string) []ent {
			return []ent{hardlink("passwd", "../outside/sentinel")}
		},
		wantErr: errAny,
	}, {
		name: "hardlink through symlink to outside",
		entries: func(parent string) []ent {
			return []ent{symlink("lnk", parent+"/outside"), hardlink("passwd", "lnk/sentinel")}
		},
		wantErr: ErrUnsafeEntry,
	}, {
		name: "hardlink through symlink inside",
		entries: func(string) []ent {
			return []ent{file("d/f", "x"), symlink("lnk", "d"), hardlink("h", "lnk/f")}
		},
		wantErr: ErrUnsafeEntry,
	}, {
		name: "hardlink to symlink links the symlink itself",
		entries: func(parent string) []ent {
			return []ent{symlink("s", parent+"/outside/sentinel"), hardlink("h", "s"), file("h", "pwned")}
		},
		check: func(t *testing.T, parent, dir string) {
			wantLink(t, filepath.Join(dir, "s"), parent+"/outside/sentinel")
			wantContent(t, filepath.Join(dir, "h"), "pwned")
		},
	}, {
		name: "whiteout climbing out",
		entries: func(string) []ent {
			return []ent{file("../.wh.outside", ""), file("../../.wh.escaped", "")}
		},
		check: func(t *testing.T, _, dir string) {
			wantWhiteout(t, filepath.Join(dir, "outside"))
			wantWhiteout(t, filepath.Join(dir, "escaped"))
		},
	}, {
		name: "whiteout in outside dir climbing out",
		entries: func(string) []ent {
			return []ent{file("../outside/.wh.sentinel", ""), file("../outside/.wh..wh..opq", "")}
		},
		check: func(t *testing.T, _, dir string) {
			wantWhiteout(t, filepath.Join(dir, "outside/sentinel"))
			wantOpaque(t, filepath.Join(dir, "outside"), DefaultOpaqueXattr)
		},
	}, {
		name: "write under a whiteout",
		entries: func(string) []ent {
			return []ent{file(".wh.d", ""), file("d/f", "x")}
		},
		wantErr: errAny,
	}, {
		name: "whiteout of dotdot",
		entries: func(string) []ent {
			return []ent{file("sub/.wh...", "")}
		},
		wantErr: ErrInvalidEntry,
	}, {
		name: "whiteout through symlinked dir",
		entries: func(parent string) []ent {
			return []ent{symlink("lnk", parent+"/outside"), file("lnk/.wh.sentinel", "")}
		},
		check: func(t *testing.T, parent, dir string) {
			wantLink(t, filepath.Join(dir, "lnk"), parent+"/outside")
			wantWhiteout(t, filepath.Join(dir, parent, "outside/sentinel"))
		},
	}, {
		name: "opaque marker in symlinked dir",
		entries: func(string) []ent {
			return []ent{symlink("lnk", "../outside"), file("lnk/.wh..wh..opq", "")}
		},
		check: func(t *testing.T, _, dir string) {
			wantOpaque(t, filepath.Join(dir, "outside"), DefaultOpaqueXattr)
		},
	}, {
		name: "file replaces symlink pointing outside",
		entries: func(parent string) []ent {
			return []ent{symlink("s", parent+"/outside/sentinel"), file("s", "pwned")}
		},
		check: func(t *testing.T, _, dir string) {
			wantContent(t, filepath.Join(dir, "s"), "pwned")
		},
	}, {
		name: "directory replaces symlink pointing outside",
		entries: func(parent string) []ent {
			return []ent{symlink("d", parent+"/outside"), dir("d/"), file("d/sentinel", "pwned")}
		},
		check: func(t *testing.T, _, dir string) {
			wantDir(t, filepath.Join(dir, "d"))
			wantContent(t, filepath.Join(dir, "d/sentinel"), "pwned")
		},
	}, {
		name: "symlink replaced after its dir got times",
		entries: func(parent string) []ent {
			return []ent{dir("d/"), dir("d/sub/"), symlink("d", parent+"/outside")}
		},
		check: func(t *testing.T, parent, dir string) {
			wantLink(t, filepath.Join(dir, "d"), parent+"/outside")
		},
	}, {
		name: "device node skipped when rootless",
		entries: func(string) []ent {
			return []ent{chardev("null", 1, 3), file("f", "kept")}
		},
		o: Options{Rootless: true},
		check: func(t *testing.T, _, dir string) {
			if exists(filepath.Join(dir, "null")) {
				t.Error("device node created in rootless mode")
			}
			wantContent(t, filepath.Join(dir, "f"), "kept")
		},
	}, {
		name: "aufs metadata skipped",
		entries: func(string) []ent {
			return []ent{dir(".wh..wh.plnk/"), file(".wh..wh.plnk/1.2", "x"), file(".wh..wh.aufs", "")}
		},
		check: func(t *testing.T, _, dir string) {
			wantEntries(t, dir)
		},
	}}
}

func TestBreakouts(t *testing.T) {
	for _, tc := range breakouts() {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			d := filepath.Join(parent, "dir")
			setupOutside(t, parent, d)
			before := snapshot(t, parent, d)

			tarball := mkTar(t, tc.entries(parent)...)
			_, err := Unpack(bytes.NewReader(tarball), d, nil, tc.o)

			if diff := cmp.Diff(before, snapshot(t, parent, d)); diff != "" {
				t.Errorf("outside of dir changed (-before +after):\n%s", diff)
			}
			switch {
			case tc.wantErr == nil && err != nil:
				t.Fatalf("Unpack: %v", err)
			case tc.wantErr == errAny && err == nil, tc.wantErr != nil && tc.wantErr != errAny && !errors.Is(err, tc.wantErr):
				t.Fatalf("Unpack error = %v, want %v", err, tc.wantErr)
			}
			if tc.check != nil {
				tc.check(t, parent, d)
			}
		})
	}
}

// setupOutside creates parent/outside with a sentinel file and a
// subdirectory, and the empty layer directory d.
func setupOutside(t testing.TB, parent, d string) {
	t.Helper()
	for _, p := range []string{d, filepath.Join(parent, "outside/sub")} {
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(parent, "outside/sentinel"), []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func wantContent(t *testing.T, p, want string) {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Errorf("want file %s: %v", p, err)
		return
	}
	if !fi.Mode().IsRegular() {
		t.Errorf("%s is %v, want a regular file", p, fi.Mode())
		return
	}
	if got := readFile(t, p); got != want {
		t.Errorf("%s holds %q, want %q", p, got, want)
	}
}

func wantLink(t *testing.T, p, want string) {
	t.Helper()
	got, err := os.Readlink(p)
	if err != nil || got != want {
		t.Errorf("readlink %s = %q, %v; want %q", p, got, err, want)
	}
}

func wantDir(t *testing.T, p string) {
	t.Helper()
	if fi, err := os.Lstat(p); err != nil || !fi.IsDir() {
		t.Errorf("want directory %s (err %v)", p, err)
	}
}

func wantWhiteout(t *testing.T, p string) {
	t.Helper()
	if !isWhiteout(t, p) {
		t.Errorf("want 0/0 character device at %s", p)
	}
}

func wantEntries(t *testing.T, dir string, want ...string) {
	t.Helper()
	var got []string
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries of %s (-want +got):\n%s", dir, diff)
	}
}
