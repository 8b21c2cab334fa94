package build

import (
	"archive/tar"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	securejoin "github.com/cyphar/filepath-securejoin"

	"pocket/trace"
)

// errSkip marks a file of the context that COPY leaves out.
var errSkip = errors.New("special file")

// entry is one file a COPY or ADD puts in the image.
type entry struct {
	rel  string // path under the destination, slash-separated; "." for a file source itself
	base string // the source's own name, for a file copied into a directory
	hdr  tar.Header
	src  string // host file with the content of a regular file
	data []byte // or the content itself (heredocs)
	dir  bool   // rel is the source directory itself, whose contents are copied
	memo string // the file's identity for the hash memo, from lstat
}

// contextSources lists what one COPY source names in the context.
// CVE-2015-3627-style escapes: the source is checked lexically (no
// "..") and its parent directories are resolved inside the context by
// securejoin; the last component and everything below a directory are
// read with lstat and never followed, so a symlink in the context that
// points out of it is copied as a link, never its target.
func (bc *buildContext) contextSources(src string) (entries []entry, isDir bool, err error) {
	defer trace.Span("build: COPY context walk")()
	if bc.dir == "" {
		return nil, false, fmt.Errorf("COPY %s: no build context (the Dockerfile came from stdin)", src)
	}
	c, err := cleanSource(src)
	if err != nil {
		return nil, false, err
	}
	parent, err := securejoin.SecureJoin(bc.dir, filepath.Dir(c))
	if err != nil {
		return nil, false, err
	}
	base := filepath.Base(c)
	var tops []string
	if c == "." {
		tops = []string{bc.dir}
	} else if strings.ContainsAny(base, "*?[") {
		des, err := os.ReadDir(parent)
		if err != nil {
			return nil, false, err
		}
		for _, de := range des {
			if ok, _ := filepath.Match(base, de.Name()); ok && !bc.ignored(bc.rel(filepath.Join(parent, de.Name()))) {
				tops = append(tops, filepath.Join(parent, de.Name()))
			}
		}
		if len(tops) == 0 {
			return nil, false, fmt.Errorf("COPY failed: no source files were specified")
		}
		isDir = true // several sources, or a pattern: the destination is a directory
	} else {
		p := filepath.Join(parent, base)
		if bc.ignored(bc.rel(p)) {
			return nil, false, fmt.Errorf("COPY failed: file not found in build context or excluded by .dockerignore: stat %s: file does not exist", src)
		}
		tops = []string{p}
	}
	for _, top := range tops {
		fi, err := os.Lstat(top)
		if err != nil {
			return nil, false, fmt.Errorf("COPY failed: file not found in build context or excluded by .dockerignore: stat %s: file does not exist", src)
		}
		// A file a wildcard matched keeps its name; a directory gives
		// its contents, as a directory named alone does (Docker).
		prefix := ""
		if !fi.IsDir() && (len(tops) > 1 || strings.ContainsAny(base, "*?[")) {
			prefix = filepath.Base(top)
		}
		if !fi.IsDir() {
			e, err := fileEntry(top, fi)
			if err != nil {
				return nil, false, err
			}
			e.rel, e.base = ".", filepath.Base(top)
			if prefix != "" {
				e.rel = prefix
			}
			entries = append(entries, e)
			continue
		}
		if len(tops) == 1 {
			isDir = true
		}
		// Ignored directories on the way to an excepted file, emitted
		// only when such a file is.
		var pending []entry
		err = walkTree(top, fi, bc.skipDir, func(n int) { entries = slices.Grow(entries, n) }, func(p string, fi os.FileInfo) error {
			rel, _ := filepath.Rel(top, p)
			rel = filepath.ToSlash(path.Join(prefix, rel))
			if p == top && prefix == "" {
				rel = "."
			}
			for len(pending) > 0 && !strings.HasPrefix(rel, pending[len(pending)-1].rel+"/") {
				pending = pending[:len(pending)-1]
			}
			ignored := p != top && bc.ignore != nil && bc.ignored(bc.rel(p))
			if ignored && (!fi.IsDir() || !bc.ignore.Exclusions()) {
				// With `!` exceptions a file below an ignored directory
				// may be wanted back: keep walking it.
				if fi.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			e, err := fileEntry(p, fi)
			if errors.Is(err, errSkip) {
				return nil
			} else if err != nil {
				return err
			}
			e.rel, e.dir = rel, p == top
			if ignored {
				pending = append(pending, e)
				return nil
			}
			entries = append(entries, pending...)
			pending = pending[:0]
			entries = append(entries, e)
			return nil
		})
		if err != nil {
			return nil, false, err
		}
	}
	return entries, isDir, nil
}

// skipDir says whether the walk leaves directory p out: ignored, and
// no `!` exception can want a file below it back. walkTree's listing
// asks from several goroutines; the matcher compiles its patterns on
// first use, hence the lock.
func (bc *buildContext) skipDir(p string) bool {
	if bc.ignore == nil || bc.ignore.Exclusions() {
		return false
	}
	bc.mu.Lock()
	defer bc.mu.Unlock()
	return bc.ignored(bc.rel(p))
}

// rel is p relative to the context, for .dockerignore.
func (bc *buildContext) rel(p string) string {
	r, err := filepath.Rel(bc.dir, p)
	if err != nil {
		return p
	}
	return filepath.ToSlash(r)
}

// fileEntry is the tar header of a file of the context.
func fileEntry(p string, fi os.FileInfo) (entry, error) {
	link := ""
	if fi.Mode()&os.ModeSymlink != 0 {
		var err error
		if link, err = os.Readlink(p); err != nil {
			return entry{}, err
		}
	}
	hdr, err := tar.FileInfoHeader(fi, link)
	if err != nil {
		return entry{}, err
	}
	hdr.Uname, hdr.Gname = "", ""
	hdr.AccessTime, hdr.ChangeTime = time.Time{}, time.Time{}
	e := entry{hdr: *hdr}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		e.hdr.Uid, e.hdr.Gid = int(st.Uid), int(st.Gid)
	}
	switch {
	case fi.Mode().IsRegular():
		e.src = p
		e.memo = memoKey(fi)
	case fi.IsDir(), fi.Mode()&os.ModeSymlink != 0:
	default:
		// Devices, sockets and pipes of the context are not copied (as
		// Docker's context tar leaves sockets out); never opened.
		return entry{}, errSkip
	}
	return e, nil
}
