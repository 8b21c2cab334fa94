package fs

import (
	"fmt"
	"os"
	"path"
	"strings"
	"syscall"

	securejoin "github.com/cyphar/filepath-securejoin"
)

// cleanName turns an untrusted tar name into a rooted, lexically clean
// path: "/" for the layer root, never containing "..".
//
// This clamps the way securejoin does: ".." at the root stays at the root,
// so "../../etc/passwd" and "/etc/passwd" both name "etc/passwd" inside
// the layer. Tar names are lexical (no symlink is followed while cleaning
// them); symlinks are only expanded, inside the root, when the cleaned
// parent directory is resolved.
func cleanName(name string) string {
	return path.Clean("/" + name)
}

// resolver maps cleaned names to host paths inside root. It remembers the
// directories it resolved; anything that removes a directory or symlink
// from the tree calls forget, because a remembered resolution may run
// through it.
type resolver struct {
	root    string            // absolute, clean, symlink-free
	parents map[string]string // cleaned directory name -> host path
}

func newResolver(root string) *resolver {
	return &resolver{root: root, parents: make(map[string]string)}
}

func (r *resolver) forget() { clear(r.parents) }

// dir resolves the directory cleaned name dir inside root, following
// symlinks only within root (securejoin), and creates what is missing
// when create is set. The returned path holds no symlink component, so
// operations on path+"/"+base never leave the root as long as they do not
// follow a symlink in base.
func (r *resolver) dir(dir string, create bool) (string, error) {
	if dir == "/" {
		return r.root, nil
	}
	if p, ok := r.parents[dir]; ok {
		return p, nil
	}
	p, err := securejoin.SecureJoin(r.root, dir)
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", strings.TrimPrefix(dir, "/"), err)
	}
	if create {
		// Missing components were appended lexically by SecureJoin and
		// contain no symlinks, so MkdirAll cannot be redirected.
		if err := os.MkdirAll(p, 0o755); err != nil {
			return "", err
		}
	} else if fi, err := os.Lstat(p); err != nil {
		return "", err
	} else if !fi.IsDir() {
		return "", &os.PathError{Op: "resolve", Path: p, Err: syscall.ENOTDIR}
	}
	r.parents[dir] = p
	return p, nil
}

// entry resolves a cleaned non-root name to its host path: the parent is
// resolved (and created) inside root, the last component is kept as is.
func (r *resolver) entry(name string, create bool) (string, error) {
	parent, base := path.Split(name)
	p, err := r.dir(path.Clean(parent), create)
	if err != nil {
		return "", err
	}
	return p + "/" + base, nil
}

// lexical resolves cleaned directory name dir like dir(dir, false) and
// reports whether reaching it follows no symlink.
func (r *resolver) lexical(dir string) (string, bool, error) {
	if dir == "/" {
		return r.root, true, nil
	}
	p, ok := r.parents[dir]
	if !ok {
		var err error
		if p, err = securejoin.SecureJoin(r.root, dir); err != nil {
			return "", false, err
		}
	}
	if p != r.root+dir {
		return p, false, nil
	}
	p, err := r.dir(dir, false)
	return p, true, err
}
