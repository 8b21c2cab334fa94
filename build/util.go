package build

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"syscall"
)

func itoa(n int) string { return strconv.Itoa(n) }

func statT(fi os.FileInfo) *syscall.Stat_t {
	st, _ := fi.Sys().(*syscall.Stat_t)
	return st
}

// unixMode is a FileInfo's permission and special bits as a tar mode.
func unixMode(fi os.FileInfo) int {
	if st := statT(fi); st != nil {
		return int(st.Mode & 0o7777)
	}
	return int(fi.Mode().Perm())
}

func readAllLimit(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err == nil && int64(len(data)) > max {
		return nil, fmt.Errorf("file larger than %d bytes", max)
	}
	return data, err
}

// hashMemo remembers the content digest of each file by what changes
// when its content does (device, inode, size, mtime, ctime), so that an
// unchanged context is re-checked with stat alone.
type hashMemo struct {
	mu sync.Mutex
	m  map[string]string
}

func newHashMemo() *hashMemo { return &hashMemo{m: map[string]string{}} }

func (h *hashMemo) sum(e entry) (string, error) {
	if e.data != nil {
		s := sha256.Sum256(e.data)
		return hex.EncodeToString(s[:]), nil
	}
	if e.src == "" {
		return "", nil
	}
	f, err := openNoFollow(e.src)
	if err != nil {
		return "", err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", err
	}
	key := e.src
	if st := statT(fi); st != nil {
		key = fmt.Sprintf("%d:%d:%d:%d.%d:%d.%d", st.Dev, st.Ino, st.Size, st.Mtim.Sec, st.Mtim.Nsec, st.Ctim.Sec, st.Ctim.Nsec)
	}
	h.mu.Lock()
	sum, ok := h.m[key]
	h.mu.Unlock()
	if ok {
		return sum, nil
	}
	d := sha256.New()
	if _, err := io.Copy(d, f); err != nil {
		return "", err
	}
	sum = hex.EncodeToString(d.Sum(nil))
	h.mu.Lock()
	h.m[key] = sum
	h.mu.Unlock()
	return sum, nil
}
