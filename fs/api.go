package fs

// This file is the fs package's contract; bodies are filled in by the
// implementation.

import (
	"errors"
	"io"
)

var errTODO = errors.New("not implemented yet")

// Options tune Unpack.
type Options struct {
	// Rootless: skip device nodes silently and do not chown to ids the
	// process cannot map; set when not running as real root.
	Rootless bool
	// OpaqueXattr is the xattr that marks an overlay opaque directory:
	// "trusted.overlay.opaque" (default) or "user.overlay.opaque" for
	// overlay mounted with userxattr inside a user namespace.
	OpaqueXattr string
}

// Unpack extracts an uncompressed layer tar into dir (which must exist and
// be empty) in overlayfs lowerdir form: a ".wh.NAME" entry becomes a 0/0
// character device NAME and ".wh..wh..opq" sets the opaque xattr on its
// directory, whatever the entry order. No entry can create, change or follow
// anything outside dir. If meta is not nil, tar-split metadata is written to
// it so Reassemble can rebuild the exact tar. Unpack reads r to EOF and
// returns the number of tar bytes read.
func Unpack(r io.Reader, dir string, meta io.Writer, o Options) (int64, error) {
	return 0, errTODO
}

// Reassemble rebuilds the tar that Unpack read, from dir and its metadata.
func Reassemble(dir string, meta io.Reader) io.ReadCloser {
	pr, pw := io.Pipe()
	pw.CloseWithError(errTODO)
	return pr
}

// Decompress returns the uncompressed stream of a layer blob, sniffing gzip,
// zstd or plain tar from the first bytes.
func Decompress(r io.Reader) (io.ReadCloser, error) { return nil, errTODO }

// Size is the disk usage of a tree in bytes (apparent sizes of regular files).
func Size(dir string) (int64, error) { return 0, errTODO }
