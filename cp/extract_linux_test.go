package cp

import (
	"archive/tar"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type entry struct {
	name, link string
	typ        byte
	body       string
}

func tarOf(t *testing.T, es ...entry) *bytes.Buffer {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range es {
		h := &tar.Header{Name: e.name, Linkname: e.link, Typeflag: e.typ, Mode: 0o4755, Size: int64(len(e.body))}
		if e.typ == tar.TypeDir || e.typ == tar.TypeSymlink || e.typ == tar.TypeLink {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(e.body))
	}
	tw.Close()
	return &b
}

// TestExtractBreakouts: a tar (from stdin, or a container's) never writes
// outside the directory it is extracted to: ".." and absolute names stay
// below it, a symlink in the tar is never written through, a hard link
// never reaches a file outside. The class of containerd's TestBreakouts.
func TestExtractBreakouts(t *testing.T) {
	for _, tc := range []struct {
		name    string
		entries []entry
		wantErr error // nil: extracted, inside
		fails   bool  // any error will do
	}{
		{"dot-dot", []entry{{name: "../../outside", typ: tar.TypeReg, body: "x"}}, nil, false},
		{"absolute", []entry{{name: "/outside", typ: tar.TypeReg, body: "x"}}, nil, false},
		{"through a symlink", []entry{
			{name: "l", link: "OUTSIDE", typ: tar.TypeSymlink},
			{name: "l/outside", typ: tar.TypeReg, body: "x"},
		}, ErrUnsafePath, true},
		{"onto a symlink", []entry{
			{name: "l", link: "OUTSIDE/outside", typ: tar.TypeSymlink},
			{name: "l", typ: tar.TypeReg, body: "x"},
		}, nil, false},
		{"hard link out", []entry{{name: "h", link: "../../outside", typ: tar.TypeLink}}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			top := t.TempDir()
			outside := filepath.Join(top, "outside")
			os.WriteFile(outside, []byte("host"), 0o644)
			into := filepath.Join(top, "a", "b")
			os.MkdirAll(into, 0o755)
			d, err := os.Open(into)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			for i := range tc.entries {
				if tc.entries[i].link != "" {
					tc.entries[i].link = strings.Replace(tc.entries[i].link, "OUTSIDE", top, 1)
				}
			}
			err = Extract(tarOf(t, tc.entries...), d, ExtractOptions{NoChown: true, NoSetID: true})
			if !tc.fails && err != nil {
				t.Fatalf("Extract: %v", err)
			}
			if tc.fails && err == nil {
				t.Fatalf("Extract succeeded")
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("Extract = %v, want %v", err, tc.wantErr)
			}
			if b, _ := os.ReadFile(outside); string(b) != "host" {
				t.Fatalf("the file outside now holds %q", b)
			}
			if fi, err := os.Stat(filepath.Join(into, "outside")); err == nil && fi.Mode()&os.ModeSetuid != 0 {
				t.Errorf("set-uid bit kept with NoSetID")
			}
		})
	}
}

// TestWriteTarLink: a symlink is archived as the link, not what it names.
func TestWriteTarLink(t *testing.T) {
	dir := t.TempDir()
	os.Symlink("/etc/passwd", filepath.Join(dir, "l"))
	d, _ := os.Open(dir)
	defer d.Close()
	var b bytes.Buffer
	if err := WriteTar(&b, d, "l", "l"); err != nil {
		t.Fatal(err)
	}
	h, err := tar.NewReader(&b).Next()
	if err != nil || h.Typeflag != tar.TypeSymlink || h.Linkname != "/etc/passwd" || h.Size != 0 {
		t.Errorf("entry %+v, %v; want the symlink itself", h, err)
	}
}

// TestExtractNoDevices: copied to the host, a container's device node is
// dropped (a node for the host's disk would open it to every user).
func TestExtractNoDevices(t *testing.T) {
	into := t.TempDir()
	d, err := os.Open(into)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	tw.WriteHeader(&tar.Header{Name: "sda", Typeflag: tar.TypeBlock, Mode: 0o666, Devmajor: 8})
	tw.Close()
	if err := Extract(&b, d, ExtractOptions{NoChown: true, NoDevices: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(into, "sda")); err == nil {
		t.Errorf("the device node was made")
	}
}
