package fs

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

var testTime = time.Date(2020, 2, 3, 4, 5, 6, 0, time.UTC)

// ent is one tar entry to build; body is the content of a regular file.
type ent struct {
	tar.Header
	body string
}

func file(name, body string) ent {
	return ent{Header: tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(body)), ModTime: testTime}, body: body}
}

func dir(name string) ent {
	return ent{Header: tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: 0o755, ModTime: testTime}}
}

func symlink(name, target string) ent {
	return ent{Header: tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777, ModTime: testTime}}
}

func hardlink(name, target string) ent {
	return ent{Header: tar.Header{Typeflag: tar.TypeLink, Name: name, Linkname: target, Mode: 0o644, ModTime: testTime}}
}

func chardev(name string, major, minor int64) ent {
	return ent{Header: tar.Header{Typeflag: tar.TypeChar, Name: name, Mode: 0o666, Devmajor: major, Devminor: minor, ModTime: testTime}}
}

// mkTar writes entries as a tar in the PAX format where they need it.
func mkTar(t testing.TB, entries ...ent) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range entries {
		h := e.Header
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatalf("write header %q: %v", h.Name, err)
		}
		if _, err := tw.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// unpackBytes unpacks tarball into a fresh directory and returns it.
func unpackBytes(t *testing.T, tarball []byte, o Options) string {
	t.Helper()
	d := t.TempDir()
	n, err := Unpack(bytes.NewReader(tarball), d, nil, o)
	if err != nil {
		t.Fatalf("Unpack: %v", err)
	}
	if n != int64(len(tarball)) {
		t.Fatalf("Unpack read %d bytes, want %d", n, len(tarball))
	}
	return d
}

// snapshot describes every node under root except the subtree skip, for
// before/after comparison: type, mode, owner, size, links, times, content,
// link target and xattrs.
func snapshot(t testing.TB, root, skip string) map[string]string {
	t.Helper()
	out := make(map[string]string)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == skip {
			return filepath.SkipDir
		}
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return err
		}
		var desc strings.Builder
		fmt.Fprintf(&desc, "%o %d:%d size=%d nlink=%d mtime=%d", st.Mode, st.Uid, st.Gid, st.Size, st.Nlink, st.Mtim.Nano())
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFREG:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			desc.WriteString(" content=" + string(b))
		case unix.S_IFLNK:
			l, _ := os.Readlink(p)
			desc.WriteString(" -> " + l)
		}
		desc.WriteString(" xattrs=" + strings.Join(listXattrs(t, p), ","))
		rel, _ := filepath.Rel(root, p)
		out[rel] = desc.String()
		return nil
	})
	if err != nil {
		t.Fatalf("snapshot %s: %v", root, err)
	}
	return out
}

func listXattrs(t testing.TB, p string) []string {
	buf := make([]byte, 4096)
	n, err := unix.Llistxattr(p, buf)
	if err != nil {
		return nil
	}
	var keys []string
	for _, k := range strings.Split(string(buf[:n]), "\x00") {
		if k != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// lstat fails the test if p does not exist.
func lstat(t *testing.T, p string) unix.Stat_t {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		t.Fatalf("lstat: %v", err)
	}
	return st
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func isWhiteout(t *testing.T, p string) bool {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		return false
	}
	return st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == 0
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(b)
}
