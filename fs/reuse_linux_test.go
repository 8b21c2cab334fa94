package fs

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestUnpackReuse: with Options.Reuse, a regular file the earlier layer
// holds the same (metadata and content) is that layer's inode, hard-linked;
// anything else is written. Either way the layer reads exactly as one
// unpacked without Reuse.
func TestUnpackReuse(t *testing.T) {
	big := strings.Repeat("x", copyBufSize+100)
	bigOther := big[:copyBufSize+50] + "y" + big[copyBufSize+51:] // differs in the second buffer's worth
	later := file("f", "same")
	later.ModTime = testTime.Add(time.Second)
	exec := file("f", "same")
	exec.Mode = 0o755
	withXattr := file("f", "same")
	withXattr.PAXRecords = map[string]string{"SCHILY.xattr.user.k": "v"}
	fifo := ent{Header: tar.Header{Typeflag: tar.TypeFifo, Name: "f", Mode: 0o644, ModTime: testTime}}

	tests := []struct {
		name     string
		old, new []ent
		oldXattr string // set on old's f before the new layer is unpacked
		linked   []string
		written  []string
	}{
		{name: "same file", old: []ent{file("f", "same"), file("g", "old")}, new: []ent{file("f", "same"), file("g", "new")}, linked: []string{"f"}, written: []string{"g"}},
		{name: "same size, other content", old: []ent{file("f", "abcd")}, new: []ent{file("f", "abce")}, written: []string{"f"}},
		{name: "other mtime", old: []ent{file("f", "same")}, new: []ent{later}, written: []string{"f"}},
		{name: "other mode", old: []ent{file("f", "same")}, new: []ent{exec}, written: []string{"f"}},
		{name: "large, same", old: []ent{file("f", big)}, new: []ent{file("f", big)}, linked: []string{"f"}},
		{name: "large, differs past the first read", old: []ent{file("f", big)}, new: []ent{file("f", bigOther)}, written: []string{"f"}},
		{name: "entry with xattrs", old: []ent{file("f", "same")}, new: []ent{withXattr}, written: []string{"f"}},
		{name: "old file with an xattr", old: []ent{file("f", "same")}, oldXattr: "user.k", new: []ent{file("f", "same")}, written: []string{"f"}},
		{name: "fifo in the old layer", old: []ent{fifo}, new: []ent{file("f", "same")}, written: []string{"f"}},
		{name: "symlinked parent in the old layer", old: []ent{dir("real"), file("real/f", "same"), symlink("d", "real")}, new: []ent{dir("d"), file("d/f", "same")}, written: []string{"d/f"}},
		{name: "hard link to a linked file", old: []ent{file("f", "same")}, new: []ent{file("f", "same"), hardlink("h", "f")}, linked: []string{"f", "h"}},
		{name: "empty file", old: []ent{file("f", "")}, new: []ent{file("f", "")}, linked: []string{"f"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := unpackBytes(t, mkTar(t, tt.old...), Options{})
			if tt.oldXattr != "" {
				if err := unix.Setxattr(filepath.Join(old, "f"), tt.oldXattr, []byte("v"), 0); err != nil {
					t.Fatal(err)
				}
			}
			before := snapshot(t, old, "")
			tarball := mkTar(t, tt.new...)
			want := unpackBytes(t, tarball, Options{})
			got := unpackBytes(t, tarball, Options{Reuse: old})
			if g, w := withoutLinks(snapshot(t, got, "")), withoutLinks(snapshot(t, want, "")); !equalMaps(g, w) {
				t.Errorf("layer with Reuse:\n%v\nwithout:\n%v", g, w)
			}
			if after := snapshot(t, old, ""); !equalMaps(withoutLinks(after), withoutLinks(before)) {
				t.Errorf("the old layer changed:\n%v\nwas:\n%v", after, before)
			}
			for _, p := range tt.linked {
				if !sameInode(t, filepath.Join(got, p), filepath.Join(old, "f")) {
					t.Errorf("%s was written, want it linked from the old layer", p)
				}
			}
			for _, p := range tt.written {
				if o := filepath.Join(old, p); exists(o) && sameInode(t, filepath.Join(got, p), o) {
					t.Errorf("%s was linked from the old layer, want it written", p)
				}
			}
		})
	}
}

// TestUnpackReuseNeverLeavesTheLayer: the old layer is the store's, but
// what it holds came from an earlier build. A symlink there to a host
// directory must not make the new layer a hard link to a host file, even
// when the entry copies that file's metadata and content exactly.
func TestUnpackReuseNeverLeavesTheLayer(t *testing.T) {
	hostDir := t.TempDir() // stands for /etc, on the same filesystem
	secret := filepath.Join(hostDir, "shadow")
	if err := os.WriteFile(secret, []byte("root:x:0:"), 0o600); err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	if err := unix.Stat(secret, &st); err != nil {
		t.Fatal(err)
	}
	old := unpackBytes(t, mkTar(t, symlink("etc", hostDir)), Options{})
	mirror := file("etc/shadow", "root:x:0:")
	mirror.Mode, mirror.Uid, mirror.Gid = 0o600, int(st.Uid), int(st.Gid)
	mirror.ModTime = time.Unix(st.Mtim.Sec, st.Mtim.Nsec)
	mirror.Format = tar.FormatPAX // nanosecond mtime
	got := unpackBytes(t, mkTar(t, dir("etc"), mirror), Options{Reuse: old})
	if sameInode(t, filepath.Join(got, "etc/shadow"), secret) {
		t.Fatal("the layer's etc/shadow is the host file, linked through the old layer's symlink")
	}
	if readFile(t, filepath.Join(got, "etc/shadow")) != "root:x:0:" {
		t.Fatal("etc/shadow was not written")
	}
}

// TestUnpackReuseMissing: a Reuse directory that is gone (pruned since it
// was looked up) changes nothing.
func TestUnpackReuseMissing(t *testing.T) {
	tarball := mkTar(t, file("f", "same"))
	got := unpackBytes(t, tarball, Options{Reuse: filepath.Join(t.TempDir(), "gone")})
	if readFile(t, filepath.Join(got, "f")) != "same" {
		t.Fatal("f was not written")
	}
	d := t.TempDir()
	if _, err := UnpackDigest(bytes.NewReader(tarball), d, nil, Options{Reuse: "/nonexistent"}); err != nil {
		t.Fatal(err)
	}
}

var nlinkField = regexp.MustCompile(` nlink=\d+`)

// withoutLinks drops link counts from a snapshot (a linked file has
// more) and the layer's root, whose times are those of its making.
func withoutLinks(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if k != "." {
			out[k] = nlinkField.ReplaceAllString(v, "")
		}
	}
	return out
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func sameInode(t *testing.T, a, b string) bool {
	t.Helper()
	sa, sb := lstat(t, a), lstat(t, b)
	return sa.Dev == sb.Dev && sa.Ino == sb.Ino
}
