package build

import (
	"archive/tar"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"

	pfs "pocket/fs"
)

// buildContext is the directory COPY and ADD read, with .dockerignore
// applied; dir is "" when the build has no context (a Dockerfile on
// stdin).
type buildContext struct {
	dir    string
	ignore *patternmatcher.PatternMatcher
	mu     sync.Mutex // ignore, for skipDir
}

// openContext reads the Dockerfile and finds the context, as docker
// build does: CONTEXT a directory or "-" (stdin holds a tar with the
// context, or the Dockerfile alone). cleanup removes a context unpacked
// from stdin.
func openContext(o Options, tmp string) (bc *buildContext, dockerfile []byte, cleanup func(), err error) {
	cleanup = func() {}
	bc = &buildContext{}
	if o.Context == "-" {
		br := bufio.NewReader(o.Stdin)
		if isTar(br) {
			dir, err := os.MkdirTemp(tmp, "context-")
			if err != nil {
				return nil, nil, cleanup, err
			}
			cleanup = func() { os.RemoveAll(dir) }
			if _, err := pfs.Unpack(br, dir, io.Discard, pfs.OptionsFor(true)); err != nil {
				return nil, nil, cleanup, fmt.Errorf("unpack context from stdin: %w", err)
			}
			bc.dir = dir
		} else {
			if o.Dockerfile != "" && o.Dockerfile != "-" {
				return nil, nil, cleanup, errors.New("a Dockerfile on stdin takes no -f")
			}
			dockerfile, err = io.ReadAll(br)
			return bc, dockerfile, cleanup, err
		}
	} else {
		fi, err := os.Stat(o.Context)
		if err != nil {
			return nil, nil, cleanup, fmt.Errorf("unable to prepare context: %w", err)
		}
		if !fi.IsDir() {
			return nil, nil, cleanup, fmt.Errorf("unable to prepare context: %s is not a directory", o.Context)
		}
		if bc.dir, err = filepath.Abs(o.Context); err != nil {
			return nil, nil, cleanup, err
		}
	}
	dfPath := filepath.Join(bc.dir, "Dockerfile")
	ignorePath := filepath.Join(bc.dir, ".dockerignore")
	switch o.Dockerfile {
	case "":
	case "-":
		if dockerfile, err = io.ReadAll(o.Stdin); err != nil {
			return nil, nil, cleanup, err
		}
	default:
		dfPath = o.Dockerfile
		if o.Context == "-" && !filepath.IsAbs(dfPath) {
			dfPath = filepath.Join(bc.dir, dfPath)
		}
		// Docker reads FILE.dockerignore beside a custom Dockerfile in
		// preference to the context's .dockerignore.
		if _, err := os.Stat(dfPath + ".dockerignore"); err == nil {
			ignorePath = dfPath + ".dockerignore"
		}
	}
	if dockerfile == nil {
		if dockerfile, err = os.ReadFile(dfPath); err != nil {
			return nil, nil, cleanup, fmt.Errorf("unable to prepare context: unable to evaluate symlinks in Dockerfile path: %w", err)
		}
	}
	if bc.ignore, err = readIgnore(ignorePath); err != nil {
		return nil, nil, cleanup, err
	}
	return bc, dockerfile, cleanup, nil
}

// readIgnore parses a .dockerignore with Docker's own reader and matcher
// (moby/patternmatcher), `!` exceptions included. No file: no patterns.
func readIgnore(path string) (*patternmatcher.PatternMatcher, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return patternmatcher.New(nil)
	} else if err != nil {
		return nil, err
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return pm, nil
}

// ignored says whether rel (slash-separated, relative to the context)
// is excluded by .dockerignore.
func (bc *buildContext) ignored(rel string) bool {
	if bc.ignore == nil || rel == "." || rel == "" {
		return false
	}
	m, err := bc.ignore.MatchesOrParentMatches(rel)
	return err == nil && m
}

// isTar peeks at a stream for a tar header (ustar magic at 257).
func isTar(br *bufio.Reader) bool {
	b, err := br.Peek(512)
	if err != nil {
		return false
	}
	if _, err := tar.NewReader(bytes.NewReader(b)).Next(); err != nil {
		return false
	}
	return bytes.HasPrefix(b[257:], []byte("ustar"))
}

// cleanSource checks a COPY/ADD source lexically: it must not climb out
// of the context (`COPY ../x`); an absolute path is relative to the
// context root, as in Docker.
func cleanSource(src string) (string, error) {
	c := filepath.Clean(src)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("%w: %s", ErrOutsideContext, src)
	}
	c = strings.TrimPrefix(filepath.Clean("/"+c), "/")
	if c == "" {
		c = "."
	}
	return c, nil
}
