package build

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"strconv"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// memoKey is a file's identity for the memo: what changes when its
// content does (device, inode, size, mtime, ctime); "" when unknown.
func memoKey(fi os.FileInfo) string {
	st := statT(fi)
	if st == nil {
		return ""
	}
	return statKey(st)
}

// statKey formats "dev:ino:size:mtime:ctime" without fmt: a no-change
// rebuild makes one per file of the context.
func statKey(st *syscall.Stat_t) string {
	b := make([]byte, 0, 80)
	b = strconv.AppendUint(b, uint64(st.Dev), 10)
	b = strconv.AppendUint(append(b, ':'), uint64(st.Ino), 10)
	b = strconv.AppendInt(append(b, ':'), int64(st.Size), 10)
	b = strconv.AppendInt(append(b, ':'), int64(st.Mtim.Sec), 10)
	b = strconv.AppendInt(append(b, '.'), int64(st.Mtim.Nsec), 10)
	b = strconv.AppendInt(append(b, ':'), int64(st.Ctim.Sec), 10)
	b = strconv.AppendInt(append(b, '.'), int64(st.Ctim.Nsec), 10)
	return string(b)
}

// hashBufs are hashFile's read buffers: a cold COPY hashes thousands of
// files on a few goroutines, and a buffer each (io.Copy's 32 kB) was a
// quarter of the time, in allocation and clearing.
var hashBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// hashFile is the sha256 of the file at p, read to its end through a
// descriptor opened without following a last-component symlink, and
// the memo key of what the descriptor is (a file changed since the
// walk is hashed under its new identity). Plain read(2)s: an *os.File
// costs a fcntl and a finalizer per file.
func hashFile(p string) (sum, key string, err error) {
	fd, err := unix.Open(p, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", "", &os.PathError{Op: "open", Path: p, Err: err}
	}
	defer unix.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return "", "", &os.PathError{Op: "fstat", Path: p, Err: err}
	}
	bp := hashBufs.Get().(*[]byte)
	defer hashBufs.Put(bp)
	d := sha256.New()
	for total := int64(0); ; {
		n, err := unix.Read(fd, *bp)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return "", "", &os.PathError{Op: "read", Path: p, Err: err}
		}
		if n == 0 {
			break
		}
		d.Write((*bp)[:n])
		// A short read that reaches the size fstat gave is the end of
		// the file the key names: no read(2) more to see it.
		if total += int64(n); n < len(*bp) && total >= int64(st.Size) {
			break
		}
	}
	key = statKey(&st)
	return hex.EncodeToString(d.Sum(nil)), key, nil
}
