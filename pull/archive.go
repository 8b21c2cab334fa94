package pull

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// maxMeta bounds the JSON files (manifest.json, index.json, manifests,
// configs) read into memory from an untrusted archive.
const maxMeta = 32 << 20

// blobs serves the files of an image archive or layout by their path
// inside it.
type blobs interface {
	has(name string) bool
	open(name string) (io.ReadCloser, int64, error)
}

// readMeta reads a small JSON file from b.
func readMeta(b blobs, name string) ([]byte, error) {
	rc, size, err := b.open(name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if size > maxMeta {
		return nil, fmt.Errorf("%s: %d bytes is too large", name, size)
	}
	return io.ReadAll(io.LimitReader(rc, maxMeta))
}

// blobPath is where a layout keeps the blob with digest d.
func blobPath(d v1.Hash) string { return "blobs/" + d.Algorithm + "/" + d.Hex }

// dirBlobs is an OCI image layout directory. Names come from the
// (untrusted) index or manifest.json, so files are opened through os.Root:
// no name or symlink reaches outside the directory.
type dirBlobs struct{ root *os.Root }

func (d dirBlobs) has(name string) bool {
	_, err := d.root.Stat(name)
	return err == nil
}

func (d dirBlobs) open(name string) (io.ReadCloser, int64, error) {
	f, err := d.root.Open(name)
	if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, 0, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	return f, fi.Size(), nil
}

// tarBlobs serves the members of a tar by offset, without extracting it:
// one pass indexes the headers (seeking over the data), then every open
// is a section of the file.
type tarBlobs struct {
	f       *os.File
	members map[string]member
}

type member struct {
	off, size int64
	link      string // target of a symlink or hard link, as a member name
}

func indexTar(f *os.File) (*tarBlobs, error) {
	t := &tarBlobs{f: f, members: map[string]member{}}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadArchive, err)
		}
		name := cleanName(h.Name)
		switch h.Typeflag {
		case tar.TypeReg:
			// archive/tar reads headers block by block straight from f, so
			// the file position is where this member's data starts.
			off, err := f.Seek(0, io.SeekCurrent)
			if err != nil {
				return nil, err
			}
			t.members[name] = member{off: off, size: h.Size}
		case tar.TypeSymlink:
			// docker save links repeated layer.tar files to the first copy.
			t.members[name] = member{link: cleanName(path.Join(path.Dir(name), h.Linkname))}
		case tar.TypeLink:
			t.members[name] = member{link: cleanName(h.Linkname)}
		}
	}
	return t, nil
}

func cleanName(n string) string {
	return strings.TrimPrefix(path.Clean("/"+n), "/")
}

func (t *tarBlobs) lookup(name string) (member, bool) {
	m, ok := t.members[cleanName(name)]
	for hops := 0; ok && m.link != ""; hops++ {
		if hops > 8 {
			return member{}, false
		}
		m, ok = t.members[m.link]
	}
	return m, ok
}

func (t *tarBlobs) has(name string) bool {
	_, ok := t.lookup(name)
	return ok
}

func (t *tarBlobs) open(name string) (io.ReadCloser, int64, error) {
	m, ok := t.lookup(name)
	if !ok {
		return nil, 0, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return io.NopCloser(io.NewSectionReader(t.f, m.off, m.size)), m.size, nil
}

// compression sniffs a blob's first bytes.
func compression(b blobs, name string) (string, error) {
	rc, _, err := b.open(name)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	head := make([]byte, 4)
	n, err := io.ReadFull(rc, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", err
	}
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return "gzip", nil
	case bytes.HasPrefix(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return "zstd", nil
	}
	return "", nil
}
