package build

import (
	"bytes"
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
// unchanged context is re-checked with stat alone; and the digest of
// each COPY plan by its lines and its files' identities (see digest),
// so that an unchanged COPY is not even looked up file by file. The
// per-file memo, the larger, is read only when a plan misses.
type hashMemo struct {
	mu     sync.Mutex
	path   string // the per-file memo's file, read on first need
	loaded bool
	m      map[string]string
	used   map[string]string // what this build asked: what save keeps
	fresh  bool              // a file was hashed: used is not all from m
	keep   []string          // the files of plans that hit: save keeps them too

	plans     map[string]string // plan identity -> digest
	plansUsed map[string]string
	plansNew  bool
}

func newHashMemo() *hashMemo {
	return &hashMemo{loaded: true, m: map[string]string{}, used: map[string]string{},
		plans: map[string]string{}, plansUsed: map[string]string{}}
}

// loadHashMemo reads the memo a previous build saved at path; a missing
// or damaged file is an empty memo (it is only a shortcut).
func loadHashMemo(path string) *hashMemo {
	h := newHashMemo()
	h.path, h.loaded = path, false
	if data, err := os.ReadFile(plansPath(path)); err == nil {
		json.Unmarshal(data, &h.plans)
	}
	return h
}

// plansPath is where the plan digests live, beside the per-file memo.
func plansPath(path string) string { return path + "-plans.json" }

// load reads the per-file memo once; the caller holds mu.
func (h *hashMemo) load() {
	if h.loaded {
		return
	}
	h.loaded = true
	if data, err := os.ReadFile(h.path); err == nil {
		parseMemo(data, h.m)
	}
}

// The per-file memo's file is a line "KEY SUM" per file: read and
// written in a few milliseconds for thousands of files, where JSON
// took tens (a rebuild after one file changed reads and writes it).
func parseMemo(data []byte, m map[string]string) {
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, []byte{'\n'})
		data = rest
		k, v, ok := bytes.Cut(line, []byte{' '})
		if !ok || len(v) != sha256.Size*2 {
			continue // damaged: that file is hashed again
		}
		m[string(k)] = string(v)
	}
}

func formatMemo(m map[string]string) []byte {
	n := 0
	for k, v := range m {
		n += len(k) + len(v) + 2
	}
	b := make([]byte, 0, n)
	for k, v := range m {
		b = append(append(append(append(b, k...), ' '), v...), '\n')
	}
	return b
}

// plan is the digest remembered for a plan's identity; es are its
// entries, whose files' memo entries a hit keeps.
func (h *hashMemo) plan(id string, es []entry) (string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	sum, ok := h.plans[id]
	if ok {
		h.plansUsed[id] = sum
		for _, e := range es {
			if e.memo != "" {
				h.keep = append(h.keep, e.memo)
			}
		}
	}
	return sum, ok
}

// setPlan remembers a plan's digest.
func (h *hashMemo) setPlan(id, sum string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.plans[id], h.plansUsed[id] = sum, sum
	h.plansNew = true
}

// save writes the entries this build used, so the files stay the size
// of the contexts in use: each to a temporary file renamed into place,
// so a killed build leaves the old memo or the new one.
func (h *hashMemo) save(path string) error {
	h.mu.Lock()
	var plans []byte
	if h.plansNew || len(h.plansUsed) != len(h.plans) {
		plans, _ = json.Marshal(h.plansUsed)
	}
	var files []byte
	if h.loaded {
		for _, k := range h.keep {
			if v, ok := h.m[k]; ok {
				h.used[k] = v
			}
		}
		// Unless it is what the file holds already: a no-change
		// rebuild writes nothing.
		if h.fresh || len(h.used) != len(h.m) {
			files = formatMemo(h.used)
		}
	}
	h.mu.Unlock()
	if files != nil {
		if err := writeReplace(path, files); err != nil {
			return err
		}
	}
	if plans != nil {
		return writeReplace(plansPath(path), plans)
	}
	return nil
}

// writeReplace writes data to a temporary file renamed to path.
func writeReplace(path string, data []byte) error {
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
	h.load()
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
		h.load()
		sum, ok := h.m[e.memo]
		if ok {
			h.used[e.memo] = sum
		}
		h.mu.Unlock()
		if ok {
			return sum, nil
		}
	}
	// Keyed by what the open file is now: a file changed since the
	// walk is hashed under its new identity.
	sum, key, err := hashFile(e.src)
	if err != nil {
		return "", err
	}
	if key != "" {
		h.mu.Lock()
		h.load()
		h.m[key], h.used[key] = sum, sum
		h.fresh = true
		h.mu.Unlock()
	}
	return sum, nil
}
