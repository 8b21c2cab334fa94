package build

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
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
	mu    sync.Mutex
	m     map[string]string
	used  map[string]string // what this build asked: what save keeps
	fresh bool              // a file was hashed: used is not all from m
}

func newHashMemo() *hashMemo { return &hashMemo{m: map[string]string{}, used: map[string]string{}} }

// loadHashMemo reads the memo a previous build saved at path; a missing
// or damaged file is an empty memo (it is only a shortcut).
func loadHashMemo(path string) *hashMemo {
	h := newHashMemo()
	if data, err := os.ReadFile(path); err == nil {
		json.Unmarshal(data, &h.m)
	}
	return h
}

// save writes the entries this build used, so the file stays the size
// of the contexts in use: to a temporary file renamed into place, so a
// killed build leaves the old memo or the new one.
func (h *hashMemo) save(path string) error {
	h.mu.Lock()
	if !h.fresh && len(h.used) == len(h.m) {
		// What the file holds already: a no-change rebuild writes
		// nothing.
		h.mu.Unlock()
		return nil
	}
	data, err := json.Marshal(h.used)
	h.mu.Unlock()
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".memo-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// prefetch hashes the files of es the memo does not know yet, on a few
// goroutines (a cold context is thousands of small reads), so that the
// digest's walk in order finds them all remembered. An error is left
// for that walk to meet and report.
func (h *hashMemo) prefetch(es []entry) {
	var todo []entry
	h.mu.Lock()
	for _, e := range es {
		// Only files the walk named: a sum without a key is not kept.
		if e.src == "" || e.data != nil || e.memo == "" {
			continue
		}
		if _, ok := h.m[e.memo]; !ok {
			todo = append(todo, e)
		}
	}
	h.mu.Unlock()
	if len(todo) < 16 {
		return
	}
	work := make(chan entry)
	var wg sync.WaitGroup
	for range min(8, 2*runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range work {
				h.sum(e)
			}
		}()
	}
	for _, e := range todo {
		work <- e
	}
	close(work)
	wg.Wait()
}

func (h *hashMemo) sum(e entry) (string, error) {
	if e.data != nil {
		s := sha256.Sum256(e.data)
		return hex.EncodeToString(s[:]), nil
	}
	if e.src == "" {
		return "", nil
	}
	// The walk's lstat names the file: a hit costs no open.
	if e.memo != "" {
		h.mu.Lock()
		sum, ok := h.m[e.memo]
		if ok {
			h.used[e.memo] = sum
		}
		h.mu.Unlock()
		if ok {
			return sum, nil
		}
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
	// Keyed by what the open file is now: a file changed since the
	// walk is hashed under its new identity.
	key := memoKey(fi)
	d := sha256.New()
	if _, err := io.Copy(d, f); err != nil {
		return "", err
	}
	sum := hex.EncodeToString(d.Sum(nil))
	if key != "" {
		h.mu.Lock()
		h.m[key], h.used[key] = sum, sum
		h.fresh = true
		h.mu.Unlock()
	}
	return sum, nil
}
