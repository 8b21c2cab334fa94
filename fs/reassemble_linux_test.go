package fs

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReassembleRoundTrip(t *testing.T) {
	long := strings.Repeat("long-directory-name/", 8) + strings.Repeat("f", 120)
	xa := file("etc/xattr", "x")
	xa.PAXRecords = map[string]string{"SCHILY.xattr.user.k": "v", "SCHILY.xattr.trusted.t": "dropped"}
	gnu := file("gnu/"+strings.Repeat("g", 150), "gnu long name")
	gnu.Format = tar.FormatGNU

	tests := []struct {
		name    string
		entries []ent
		pad     int // zero bytes after the tar's end blocks
	}{{
		name: "everything",
		entries: []ent{
			dir("./"), dir("etc/"), file("etc/passwd", "root:x:0:0::/root:/bin/sh\n"),
			dir("bin/"), file("bin/busybox", strings.Repeat("\x7fELF", 5000)),
			symlink("bin/sh", "busybox"), hardlink("bin/ls", "bin/busybox"),
			symlink("abs", "/etc/passwd"), file("empty", ""),
			file(long, "deep"), gnu, xa,
			dir("old/"), file("old/.wh.gone", ""), file("old/.wh..wh..opq", ""),
			file(".wh.removed", ""),
		},
	}, {
		name:    "trailing padding",
		entries: []ent{file("a", "a")},
		pad:     4096,
	}, {
		name:    "duplicate directory entries",
		entries: []ent{dir("d/"), file("d/f", "f"), dir("d/"), dir("./d")},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tarball := append(mkTar(t, tc.entries...), make([]byte, tc.pad)...)
			d := t.TempDir()
			var meta bytes.Buffer
			n, err := Unpack(bytes.NewReader(tarball), d, &meta, Options{})
			if err != nil {
				t.Fatalf("Unpack: %v", err)
			}
			if n != int64(len(tarball)) {
				t.Errorf("Unpack read %d bytes, want %d", n, len(tarball))
			}
			// Read, and written into a destination (WriteTo, as io.Copy
			// into a compressor does), with and without tar-split's
			// CRCs: the same tar.
			for _, how := range []string{"Read", "WriteTo", "ReadForDigest", "WriteToForDigest"} {
				reassemble := Reassemble
				if strings.HasSuffix(how, "ForDigest") {
					reassemble = ReassembleForDigest
				}
				rc := reassemble(d, bytes.NewReader(meta.Bytes()))
				var got []byte
				var err error
				if strings.HasPrefix(how, "Read") {
					got, err = io.ReadAll(rc)
				} else {
					var b bytes.Buffer
					var n int64
					n, err = rc.(io.WriterTo).WriteTo(&b)
					if got = b.Bytes(); n != int64(len(got)) {
						t.Errorf("WriteTo wrote %d bytes, says %d", len(got), n)
					}
				}
				rc.Close()
				if err != nil {
					t.Fatalf("Reassemble (%s): %v", how, err)
				}
				if sha256.Sum256(got) != sha256.Sum256(tarball) {
					t.Errorf("reassembled tar (%s) differs: %d bytes, want %d", how, len(got), len(tarball))
				}
			}
		})
	}
}

func TestReassembleDetectsChange(t *testing.T) {
	d := t.TempDir()
	var meta bytes.Buffer
	if _, err := Unpack(bytes.NewReader(mkTar(t, file("f", "original"))), d, &meta, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d, "f"), []byte("tampered"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(Reassemble(d, bytes.NewReader(meta.Bytes()))); !errors.Is(err, ErrInvalidEntry) {
		t.Errorf("Reassemble (Read) of a changed file gave %v, want ErrInvalidEntry", err)
	}
	// Into a destination that reads the files itself (a push's
	// compressor): the same check.
	var b bytes.Buffer
	if _, err := Reassemble(d, bytes.NewReader(meta.Bytes())).(io.WriterTo).WriteTo(&b); !errors.Is(err, ErrInvalidEntry) {
		t.Errorf("Reassemble (WriteTo a ReaderFrom) of a changed file gave %v, want ErrInvalidEntry", err)
	}
}

// TestReassembleForDigestSizes: without the CRCs, a file that grew or
// shrank since it was unpacked still fails the read (a changed file of
// the same size is left to the caller's digest).
func TestReassembleForDigestSizes(t *testing.T) {
	for _, content := range []string{"origina", "original+", ""} {
		d := t.TempDir()
		var meta bytes.Buffer
		if _, err := Unpack(bytes.NewReader(mkTar(t, file("f", "original"))), d, &meta, Options{}); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "f"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadAll(ReassembleForDigest(d, &meta)); !errors.Is(err, ErrInvalidEntry) {
			t.Errorf("file now %q: ReassembleForDigest read gave %v, want ErrInvalidEntry", content, err)
		}
	}
}

// TestReassembleStaysInside: hostile metadata cannot make Reassemble read
// a file outside dir, even through a symlink in dir.
func TestReassembleStaysInside(t *testing.T) {
	parent := t.TempDir()
	d := filepath.Join(parent, "dir")
	setupOutside(t, parent, d)
	if err := os.Symlink(filepath.Join(parent, "outside"), filepath.Join(d, "lnk")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"../outside/sentinel", parent + "/outside/sentinel", "lnk/sentinel"} {
		t.Run(name, func(t *testing.T) {
			if rc, err := (&fileGetter{res: newResolver(d)}).Get(name); err == nil {
				b, _ := io.ReadAll(rc)
				rc.Close()
				t.Errorf("Get(%q) opened a file holding %q", name, b)
			}
		})
	}
}
