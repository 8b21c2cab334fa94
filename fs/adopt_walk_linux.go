package fs

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// Read-ahead of AdoptUpper's walk: the walk opens each regular file,
// up to readers goroutines strip its xattrs and read it (whole when at
// most readAhead bytes, else the tar writer streams it from its
// descriptor), at most queued entries ahead of the tar writer, so the
// system calls of many files and the tar, tar-split and sha256 of what
// they read run on all cores.
const (
	readAhead = 128 << 10
	queued    = 128
	readers   = 2
)

// adoptItem is one entry of the tar, prepared by the walk and, for a
// regular file, finished by a reader (ready closed then).
type adoptItem struct {
	hdr    *tar.Header
	rel    string
	data   []byte // a regular file's content, read ahead
	fd     int    // the regular file, until read; -1 for none
	opaque bool
	ready  chan struct{}
	err    error
}

// errStopped ends the walk when the writer failed.
var errStopped = errors.New("tar writer stopped")

// adoptTree prunes the tree at root, strips its xattrs and writes it as
// WriteDiff would write it after that, in one walk: the walk (one
// goroutine) lists, stats and opens, readers strip and read regular
// files, the caller's goroutine writes the tar in order.
func adoptTree(w io.Writer, root string, o DiffOptions) error {
	fd, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: root, Err: err}
	}
	items := make(chan *adoptItem, queued)
	jobs := make(chan *adoptItem, queued)
	stop := make(chan struct{})
	walked := make(chan error, 1)
	for range readers {
		go func() {
			x := &xattrStripper{opaque: o.opaqueXattr()}
			for it := range jobs {
				it.read(x)
			}
		}()
	}
	go func() {
		defer close(items)
		defer close(jobs)
		defer unix.Close(fd)
		a := &adopter{h: newEntryWriter(io.Discard, o.Epoch), x: xattrStripper{opaque: o.opaqueXattr()}, items: items, jobs: jobs, stop: stop}
		// The root has no entry in the tar, but is the layer's root.
		if _, err := a.x.xattrs(fd, "", "/", false); err != nil {
			walked <- err
			return
		}
		wk := newUpperWalk(o, a.entry)
		wk.prune = true
		walked <- wk.dir(fd, "")
	}()
	t := newEntryWriter(w, o.Epoch)
	var werr error
	for it := range items {
		if it.ready != nil {
			<-it.ready
		}
		if werr == nil {
			var body io.Reader
			if it.data != nil {
				body = bytes.NewReader(it.data)
			} else if it.fd >= 0 {
				body = fdReader(it.fd)
			}
			werr = it.err
			if werr == nil {
				werr = t.put(it.hdr, body, it.opaque)
			}
			if werr != nil {
				close(stop)
			}
		}
		if it.fd >= 0 {
			unix.Close(it.fd)
		}
	}
	if err := <-walked; err != nil && !errors.Is(err, errStopped) {
		return err
	}
	if werr != nil {
		return werr
	}
	return t.tw.Close()
}

// adopter is the walk's side of adoptTree.
type adopter struct {
	h     *entryWriter // headers only: the hard links seen
	x     xattrStripper
	items chan<- *adoptItem
	jobs  chan<- *adoptItem
	stop  <-chan struct{}
}

// entry queues e's tar entry; its xattrs are stripped here, or by a
// reader for a regular file. Every entry is reached through its
// parent's descriptor: a regular file is opened without following (and
// checked to be the file listed), a directory is the walk's O_NOFOLLOW
// descriptor, anything else is named through /proc/self/fd for the
// l*xattr calls, which do not follow the last component.
func (a *adopter) entry(e upperEntry) error {
	fd := -1
	if e.unstat {
		var err error
		if fd, err = openListed(&e); err != nil || fd < 0 {
			return err
		}
	}
	hdr, err := a.h.header(e)
	if err != nil || hdr == nil {
		if fd >= 0 {
			unix.Close(fd)
		}
		return err
	}
	it := &adoptItem{hdr: hdr, rel: e.rel, fd: -1, opaque: e.opaque}
	switch {
	case hdr.Typeflag == tar.TypeLink:
		// The inode's xattrs went with its first name.
		if fd >= 0 {
			unix.Close(fd)
		}
	case hdr.Typeflag == tar.TypeReg && !e.whiteout:
		if it.fd = fd; fd < 0 {
			if it.fd, err = openRegularFd(e); err != nil {
				return err
			}
		}
		it.ready = make(chan struct{})
		a.jobs <- it
	case hdr.Typeflag == tar.TypeDir:
		if hdr.PAXRecords, err = a.x.xattrs(e.fd, "", e.rel, true); err != nil {
			return err
		}
	default:
		// Whiteouts are stripped, not recorded: their tar entry is a
		// ".wh." name.
		if hdr.PAXRecords, err = a.x.xattrs(-1, fdPath(e.dirfd, e.name), e.rel, !e.whiteout); err != nil {
			return err
		}
	}
	select {
	case a.items <- it:
		return nil
	case <-a.stop:
		if it.ready != nil {
			<-it.ready
		}
		if it.fd >= 0 {
			unix.Close(it.fd)
		}
		return errStopped
	}
}

// openListed opens an entry its directory listed as a regular file, as
// openEntry, into e.st (it was not stat'ed). -1 and no error: gone since
// it was listed.
func openListed(e *upperEntry) (int, error) {
	fd, err := openEntry(*e, &e.st)
	if errors.Is(err, unix.ENOENT) {
		return -1, nil // as the walk skips what it cannot stat
	}
	return fd, err
}

// read strips a regular file's xattrs and reads it ahead when small.
func (it *adoptItem) read(x *xattrStripper) {
	defer close(it.ready)
	it.hdr.PAXRecords, it.err = x.xattrs(it.fd, "", it.rel, true)
	if it.err != nil || it.hdr.Size > readAhead {
		return
	}
	it.data, it.err = readFd(it.fd, it.hdr.Size, it.rel)
	unix.Close(it.fd)
	it.fd = -1
}

// xattrStripper strips and records xattrs, with buffers for the calls.
// With readOnly it only records: WriteDiff's pass over a tree it must
// not change.
type xattrStripper struct {
	opaque    string
	readOnly  bool
	list, val []byte
}

// xattrs removes from one entry (open as fd, else named by p) the
// xattrs Unpack would not set from the tar (layerXattr), but the opaque
// marker: overlay's own (which the container's overlay wrote for
// itself), trusted.* and the host's SELinux label. With record, it
// returns those left but overlay's own as the PAX records WriteDiff
// writes. One listing serves both.
func (a *xattrStripper) xattrs(fd int, p, rel string, record bool) (map[string]string, error) {
	n, err := a.listXattrs(fd, p)
	if err != nil || n == 0 {
		return nil, nil // no xattr support, or none
	}
	var recs map[string]string
	for _, key := range strings.Split(string(a.list[:n]), "\x00") {
		if key == "" {
			continue
		}
		if !a.readOnly && key != a.opaque && !layerXattr(key) {
			err := removeXattr(fd, p, key)
			if err == nil || errors.Is(err, unix.ENODATA) {
				continue
			}
			if key != "security.selinux" {
				return nil, &os.PathError{Op: "removexattr " + key, Path: "/" + rel, Err: err}
			}
			// Still there: recorded, as WriteDiff would.
		}
		if !record || strings.HasPrefix(key, "trusted.overlay.") || strings.HasPrefix(key, "user.overlay.") {
			continue
		}
		val, ok := a.getXattr(fd, p, key)
		if !ok {
			continue
		}
		if recs == nil {
			recs = map[string]string{}
		}
		recs["SCHILY.xattr."+key] = val
	}
	return recs, nil
}

// listXattrs lists into a.list, grown as needed: one call for the
// common entry with no or few xattrs.
func (a *xattrStripper) listXattrs(fd int, p string) (int, error) {
	if a.list == nil {
		a.list = make([]byte, 1024)
	}
	for {
		n, err := listXattr(fd, p, a.list)
		if !errors.Is(err, unix.ERANGE) {
			return n, err
		}
		if n, err = listXattr(fd, p, nil); err != nil {
			return 0, err
		}
		a.list = make([]byte, 2*n)
	}
}

func (a *xattrStripper) getXattr(fd int, p, key string) (string, bool) {
	if a.val == nil {
		a.val = make([]byte, 1024)
	}
	for {
		n, err := getXattrAt(fd, p, key, a.val)
		if err == nil {
			return string(a.val[:n]), true
		}
		if !errors.Is(err, unix.ERANGE) {
			return "", false
		}
		if n, err = getXattrAt(fd, p, key, nil); err != nil {
			return "", false
		}
		a.val = make([]byte, 2*n)
	}
}

func listXattr(fd int, p string, buf []byte) (int, error) {
	if fd >= 0 {
		return unix.Flistxattr(fd, buf)
	}
	return unix.Llistxattr(p, buf)
}

func getXattrAt(fd int, p, key string, buf []byte) (int, error) {
	if fd >= 0 {
		return unix.Fgetxattr(fd, key, buf)
	}
	return unix.Lgetxattr(p, key, buf)
}

func removeXattr(fd int, p, key string) error {
	if fd >= 0 {
		return unix.Fremovexattr(fd, key)
	}
	return unix.Lremovexattr(p, key)
}

// readFd reads exactly size bytes of a regular file: a file the
// container grew or shrank cannot corrupt the stream (it has exited:
// only a tree changed from outside would).
func readFd(fd int, size int64, rel string) ([]byte, error) {
	data := make([]byte, size)
	_, err := io.ReadFull(fdReader(fd), data)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF // shorter than listed, even empty
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", rel, err)
	}
	return data, nil
}

// fdReader reads a descriptor with read(2).
type fdReader int

func (r fdReader) Read(b []byte) (int, error) {
	for {
		n, err := unix.Read(int(r), b)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return 0, err
		}
		if n == 0 && len(b) > 0 {
			return 0, io.EOF
		}
		return n, nil
	}
}
