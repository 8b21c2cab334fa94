package fs

import (
	"archive/tar"
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// copyBufSize is large because layer files are mostly written whole and
// every read from the tar stream costs a pipe round trip with tar-split.
const copyBufSize = 1 << 20

const (
	whiteoutPrefix = ".wh."
	whiteoutMeta   = ".wh..wh."
	opaqueMarker   = ".wh..wh..opq"
)

// Unpack extracts an uncompressed layer tar into dir (which must exist and
// be empty) in overlayfs lowerdir form: a ".wh.NAME" entry becomes a 0/0
// character device NAME and ".wh..wh..opq" sets the opaque xattr on its
// directory, whatever the entry order. No entry can create, change or follow
// anything outside dir. If meta is not nil, tar-split metadata is written to
// it so Reassemble can rebuild the exact tar. Unpack reads r to EOF and
// returns the number of tar bytes read.
//
// Names are clamped into dir the way securejoin does: "../x" and "/x" both
// mean dir/x, and a symlink in a parent component is followed only inside
// dir (a link to "/" or "../.." lands on dir itself). Symlink entries are
// created verbatim; hardlinks must name their target without going through
// a symlink, or Unpack fails with ErrUnsafeEntry.
func Unpack(r io.Reader, dir string, meta io.Writer, o Options) (int64, error) {
	root, err := layerRoot(dir)
	if err != nil {
		return 0, err
	}
	cr := &countingReader{r: r}
	if meta == nil {
		u := newUnpacker(root, o)
		err := u.run(cr)
		return cr.n, err
	}

	bw := bufio.NewWriterSize(meta, 64<<10)
	mp := newMetaPacker(bw)
	stream, done := splitTar(cr, mp)
	u := newUnpacker(root, o)
	err = u.run(stream)
	if err != nil {
		// Stop tar-split's goroutine; it reports the aborted pipe, which
		// err already explains.
		stream.Close()
		<-done
		return cr.n, err
	}
	if err := <-done; err != nil {
		return cr.n, fmt.Errorf("tar-split: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return cr.n, fmt.Errorf("write tar-split metadata: %w", err)
	}
	recordSize(meta, mp)
	return cr.n, nil
}

// UnpackDigest is Unpack, returning the sha256 of all of r in hex: the tar
// and whatever follows its end (padding, which is part of the digest), so
// the tar's diffID, whoever wrote it.
func UnpackDigest(r io.Reader, dir string, meta io.Writer, o Options) (string, error) {
	h := sha256.New()
	if _, err := Unpack(io.TeeReader(r, h), dir, meta, o); err != nil {
		return "", err
	}
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// layerRoot checks that dir is an empty directory and returns its
// absolute, symlink-free path (securejoin needs a trusted clean root).
func layerRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	root, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", err
	}
	f, err := os.Open(root)
	if err != nil {
		return "", err
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	if err != nil && err != io.EOF {
		return "", err
	}
	if len(names) > 0 {
		return "", fmt.Errorf("unpack into %s: %w", dir, ErrNotEmpty)
	}
	return root, nil
}

type dirTimes struct {
	atime, mtime time.Time
}

// unpacker holds the state of one Unpack.
type unpacker struct {
	res      *resolver
	o        Options
	realRoot bool // devices may be created
	buf      []byte
	dirs     map[string]dirTimes // cleaned name -> times, set at the end
	reuse    *os.File            // Options.Reuse, opened at its first use
	noReuse  bool                // Options.Reuse is unset or could not be opened
	cmp      []byte              // a second buffer, for reuseFile
}

func newUnpacker(root string, o Options) *unpacker {
	return &unpacker{
		res:      newResolver(root),
		o:        o,
		realRoot: !o.Rootless && isRealRoot(),
		buf:      make([]byte, copyBufSize),
		dirs:     make(map[string]dirTimes),
		noReuse:  o.Reuse == "",
	}
}

// run applies every entry of the tar in r, reads r to EOF and then sets
// directory times, which creating their children would have changed.
func (u *unpacker) run(r io.Reader) error {
	defer u.closeReuse()
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("read tar: %w", err)
		}
		if err := u.entry(hdr, tr); err != nil {
			return fmt.Errorf("unpack %q: %w", hdr.Name, err)
		}
	}
	// Past the two zero blocks there may be padding; the caller's digest
	// covers it, so it must be read.
	if _, err := io.CopyBuffer(onlyWriter{io.Discard}, r, u.buf); err != nil {
		return fmt.Errorf("read tar: %w", err)
	}
	return u.finish()
}

// entry dispatches one tar entry.
func (u *unpacker) entry(hdr *tar.Header, r io.Reader) error {
	name := cleanName(hdr.Name)
	if isAUFSMeta(name) {
		return nil
	}
	base := baseName(name)
	switch {
	case base == opaqueMarker:
		return u.opaque(dirName(name))
	case strings.HasPrefix(base, whiteoutPrefix):
		return u.whiteout(dirName(name), base[len(whiteoutPrefix):])
	}
	if name == "/" {
		if hdr.Typeflag != tar.TypeDir {
			return fmt.Errorf("replace layer root with type %q: %w", hdr.Typeflag, ErrInvalidEntry)
		}
		return u.dir(hdr, name, u.res.root)
	}
	switch hdr.Typeflag {
	case tar.TypeReg, tar.TypeGNUSparse:
		delete(u.dirs, name)
		return u.file(hdr, name, r)
	case tar.TypeDir:
		p, err := u.res.entry(name, true)
		if err != nil {
			return err
		}
		return u.dir(hdr, name, p)
	case tar.TypeSymlink:
		delete(u.dirs, name)
		return u.symlink(hdr, name)
	case tar.TypeLink:
		delete(u.dirs, name)
		return u.hardlink(hdr, name)
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		if hdr.Typeflag != tar.TypeFifo && !u.realRoot {
			// A device node outside the initial user namespace is
			// useless (or refused), so it is skipped as Docker does.
			return nil
		}
		delete(u.dirs, name)
		return u.special(hdr, name)
	default:
		// Global PAX headers and unknown types carry nothing to create.
		return nil
	}
}

// isAUFSMeta reports whether a cleaned name is (or is inside) AUFS
// metadata such as .wh..wh.plnk, other than the opaque marker.
func isAUFSMeta(name string) bool {
	if !strings.Contains(name, whiteoutMeta) {
		return false
	}
	parts := strings.Split(name[1:], "/")
	for i, p := range parts {
		if strings.HasPrefix(p, whiteoutMeta) && !(i == len(parts)-1 && p == opaqueMarker) {
			return true
		}
	}
	return false
}

// baseName and dirName split a cleaned rooted name (see cleanName).
func baseName(name string) string { return name[strings.LastIndexByte(name, '/')+1:] }

func dirName(name string) string {
	i := strings.LastIndexByte(name, '/')
	if i == 0 {
		return "/"
	}
	return name[:i]
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// onlyWriter hides ReadFrom so io.CopyBuffer uses our large buffer
// instead of a 32 KiB one of its own.
type onlyWriter struct{ io.Writer }
