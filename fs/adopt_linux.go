package fs

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
)

// AdoptUpper makes the upper directory of a container that has exited
// (no process of it left to change the tree) a layer directory in
// place, as Docker's overlay2 driver keeps a container's diff as the
// committed layer, instead of writing its files a second time from a
// tar and deleting the first copy. The tree is renamed to dir (same
// filesystem, dir absent) and then walked once: what WriteDiff leaves
// out is removed (hidden paths, empty mount stubs, sockets), the xattrs
// Unpack would not set but the opaque marker are stripped, so the tree
// holds what Unpack would make of the layer tar: no
// trusted.overlay.redirect or origin left by the container's overlay is
// ever read by the overlays that use the layer as a lower directory.
// The same walk writes the tree as it is left, WriteDiff's tar byte for
// byte, to meta as tar-split metadata; the result is the sha256 of that
// tar, the layer's diffID, as hex.
//
// Only for a tree in lowerdir form as Unpack makes it with the same
// opaque xattr: a real-root overlay's upper directory (0/0 character
// device whiteouts). o.Lower is not needed.
func AdoptUpper(upper, dir string, meta io.Writer, o DiffOptions) (string, error) {
	if err := os.Rename(upper, dir); err != nil {
		return "", err
	}
	pr, pw := io.Pipe()
	go func() {
		// Buffered: the tar's many small writes would each be a
		// hand-off to the tar-split goroutine through the pipe.
		bw := bufio.NewWriterSize(pw, 64<<10)
		err := adoptTree(bw, dir, o)
		if err == nil {
			err = bw.Flush()
		}
		pw.CloseWithError(err)
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
