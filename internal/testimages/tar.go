package testimages

import (
	"archive/tar"
	"bytes"
	"io"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Epoch is the modification and creation time of everything built here, so
// the same image always has the same digests and IMAGE ID.
var Epoch = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// Entry is one tar header (and its body) of a test layer.
type Entry struct {
	Name     string // written as is: "etc/passwd", "../x", "/abs", "dir/.wh.f"
	Type     byte   // tar.TypeReg (default), TypeDir, TypeSymlink, TypeLink, TypeChar...
	Mode     int64  // permission bits incl. setuid/setgid/sticky; 0644 or 0755 when 0
	UID, GID int
	Data     []byte // regular files
	Link     string // symlink target or hardlink name
	Xattrs   map[string]string
}

// File is a regular file entry.
func File(name, data string, mode int64) Entry {
	return Entry{Name: name, Type: tar.TypeReg, Mode: mode, Data: []byte(data)}
}

// Dir is a directory entry.
func Dir(name string, mode int64) Entry { return Entry{Name: name, Type: tar.TypeDir, Mode: mode} }

// Symlink is a symbolic link entry.
func Symlink(name, target string) Entry {
	return Entry{Name: name, Type: tar.TypeSymlink, Mode: 0o777, Link: target}
}

// Hardlink is a hard link entry to an earlier entry of the same layer.
func Hardlink(name, target string) Entry {
	return Entry{Name: name, Type: tar.TypeLink, Mode: 0o644, Link: target}
}

// Owned returns e owned by uid:gid.
func (e Entry) Owned(uid, gid int) Entry { e.UID, e.GID = uid, gid; return e }

// Tar writes entries, in order, as an uncompressed tar (PAX format when a
// header needs it, as Docker's own layers).
func Tar(entries ...Entry) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := header(e)
		if err := tw.WriteHeader(h); err != nil {
			panic("images: tar header " + e.Name + ": " + err.Error()) // only our own fixed input
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write(e.Data)
		}
	}
	tw.Close()
	return buf.Bytes()
}

func header(e Entry) *tar.Header {
	typ := e.Type
	if typ == 0 {
		typ = tar.TypeReg
	}
	mode := e.Mode
	if mode == 0 {
		mode = 0o644
		if typ == tar.TypeDir {
			mode = 0o755
		}
	}
	h := &tar.Header{
		Name: e.Name, Typeflag: typ, Mode: mode, Uid: e.UID, Gid: e.GID,
		Linkname: e.Link, ModTime: Epoch, Format: tar.FormatPAX,
	}
	if typ == tar.TypeReg {
		h.Size = int64(len(e.Data))
	}
	if len(e.Xattrs) > 0 {
		h.PAXRecords = map[string]string{}
		for k, v := range e.Xattrs {
			h.PAXRecords["SCHILY.xattr."+k] = v
		}
	}
	return h
}

// Layer is a gzip-compressed Docker layer of entries.
func Layer(entries ...Entry) (v1.Layer, error) {
	return LayerFromTar(Tar(entries...), types.DockerLayer)
}

// OCILayer is Layer with the OCI media type.
func OCILayer(entries ...Entry) (v1.Layer, error) {
	return LayerFromTar(Tar(entries...), types.OCILayer)
}

// LayerFromTar wraps an uncompressed tar as a gzip-compressed layer.
func LayerFromTar(b []byte, mt types.MediaType) (v1.Layer, error) {
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	}, tarball.WithMediaType(mt))
}
