package fs

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// AdoptUpper makes the upper directory of a container that has exited
// (no process of it left to change the tree) a layer directory in
// place, as Docker's overlay2 driver keeps a container's diff as the
// committed layer, instead of writing its files a second time from a
// tar and deleting the first copy. What WriteDiff leaves out is removed
// first (hidden paths, empty mount stubs, sockets) and the xattrs
// Unpack would not set but the opaque marker are stripped, so the tree
// holds what Unpack would make of the layer tar: no
// trusted.overlay.redirect or origin left by the container's overlay is
// ever read by the overlays that use the layer as a lower directory. The tree is then renamed to
// dir (same filesystem, dir absent) and written by WriteDiff, from the
// tree as it now is, to meta as tar-split metadata; the result is the
// sha256 of that tar, the layer's diffID, as hex.
//
// Only for a tree in lowerdir form as Unpack makes it with the same
// opaque xattr: a real-root overlay's upper directory (0/0 character
// device whiteouts). o.Lower is not needed.
func AdoptUpper(upper, dir string, meta io.Writer, o DiffOptions) (string, error) {
	if err := pruneUpper(upper, o); err != nil {
		return "", err
	}
	if err := os.Rename(upper, dir); err != nil {
		return "", err
	}
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(WriteDiff(pw, dir, DiffOptions{OpaqueXattr: o.OpaqueXattr, Epoch: o.Epoch}))
	}()
	defer pr.Close()
	h := sha256.New()
	bw := bufio.NewWriterSize(meta, 64<<10)
	mp := newMetaPacker(bw)
	stream, done := splitTar(pr, mp)
	if _, err := io.Copy(h, stream); err != nil {
		stream.Close()
		<-done
		return "", err
	}
	if err := <-done; err != nil {
		return "", fmt.Errorf("tar-split: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return "", fmt.Errorf("write tar-split metadata: %w", err)
	}
	recordSize(meta, mp)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// errFound stops a walk at its first entry.
var errFound = errors.New("found")

// HasChanges reports whether Diff would list anything, without looking
// at the lower directories and stopping at the first change.
func HasChanges(upper string, o DiffOptions) (bool, error) {
	err := walkUpper(upper, o, func(upperEntry) error { return errFound })
	if errors.Is(err, errFound) {
		return true, nil
	}
	return false, err
}

// pruneUpper removes from upper what walkUpper does not list, and
// sockets (no tar form), keeping each changed directory's times.
func pruneUpper(upper string, o DiffOptions) error {
	keep := map[string]bool{}
	err := walkUpper(upper, o, func(e upperEntry) error {
		if e.st.Mode&unix.S_IFMT != unix.S_IFSOCK {
			keep[e.rel] = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	fd, err := unix.Open(upper, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: upper, Err: err}
	}
	defer unix.Close(fd)
	if err := stripXattrs(upper, o.opaqueXattr()); err != nil {
		return err
	}
	return pruneDir(fd, "", keep, o.opaqueXattr())
}

func pruneDir(fd int, rel string, keep map[string]bool, opaque string) error {
	names, err := readNames(fd)
	if err != nil {
		return fmt.Errorf("read directory /%s: %w", rel, err)
	}
	var dirSt unix.Stat_t
	if err := unix.Fstat(fd, &dirSt); err != nil {
		return err
	}
	removed := false
	for _, name := range names {
		p := name
		if rel != "" {
			p = rel + "/" + name
		}
		if !keep[p] {
			if err := os.RemoveAll(fdPath(fd, name)); err != nil {
				return fmt.Errorf("prune /%s: %w", p, err)
			}
			removed = true
			continue
		}
		if err := stripXattrs(fdPath(fd, name), opaque); err != nil {
			return fmt.Errorf("prune /%s: %w", p, err)
		}
		var st unix.Stat_t
		if err := unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return &os.PathError{Op: "lstat", Path: "/" + p, Err: err}
		}
		if st.Mode&unix.S_IFMT != unix.S_IFDIR {
			continue
		}
		child, err := unix.Openat(fd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return &os.PathError{Op: "open", Path: "/" + p, Err: err}
		}
		err = pruneDir(child, p, keep, opaque)
		unix.Close(child)
		if err != nil {
			return err
		}
	}
	if removed {
		// The layer records the directory as the container left it.
		ts := []unix.Timespec{dirSt.Atim, dirSt.Mtim}
		if err := unix.UtimesNanoAt(fd, ".", ts, 0); err != nil {
			return &os.PathError{Op: "utimes", Path: "/" + rel, Err: err}
		}
	}
	return nil
}

// stripXattrs removes from p the xattrs Unpack would not set from the
// tar (layerXattr), but the opaque marker: overlay's own (which the
// container's overlay wrote for itself), trusted.* and the host's
// SELinux label.
func stripXattrs(p, opaque string) error {
	sz, err := unix.Llistxattr(p, nil)
	if err != nil || sz == 0 {
		return nil // no xattr support, or none
	}
	buf := make([]byte, sz)
	sz, err = unix.Llistxattr(p, buf)
	if err != nil {
		return nil
	}
	for _, key := range strings.Split(string(buf[:sz]), "\x00") {
		if key == "" || key == opaque || layerXattr(key) {
			continue
		}
		err := unix.Lremovexattr(p, key)
		if err != nil && !errors.Is(err, unix.ENODATA) && key != "security.selinux" {
			return &os.PathError{Op: "removexattr " + key, Path: p, Err: err}
		}
	}
	return nil
}
