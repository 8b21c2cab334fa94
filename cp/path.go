package cp

import (
	"path"
	"strings"
)

// Clean makes a container path absolute and clean as Docker's daemon
// takes it, keeping a trailing "/." or "/" (moby's
// PreserveTrailingDotOrSeparator): "dir/." copies the contents of dir,
// "dir" the directory itself.
func Clean(p string) string {
	c := path.Join("/", p)
	switch {
	case c == "/":
	case strings.HasSuffix(p, "/.") || p == ".":
		c += "/."
	case strings.HasSuffix(p, "/"):
		c += "/"
	}
	return c
}

// Split is moby's SplitPathDirEntry: the directory holding p's entry and
// the entry's name, "." for a path ending in "/.". The root splits as
// ("/", ".").
func Split(p string) (dir, base string) {
	c := path.Clean(p)
	if strings.HasSuffix(p, "/.") || p == "." {
		return c, "."
	}
	if c == "/" {
		return "/", "."
	}
	return path.Dir(c), path.Base(c)
}

// AssertsDir reports whether p says it names a directory: a trailing "/"
// or "/." (moby's assertsDirectory).
func AssertsDir(p string) bool {
	return strings.HasSuffix(p, "/") || strings.HasSuffix(p, "/.") || p == "."
}

// rebase renames an archive entry whose first element is from to to
// (moby's RebaseArchiveEntries); from "" leaves it.
func rebase(name, from, to string) string {
	if from == "" || from == to {
		return name
	}
	if name == from || strings.HasPrefix(name, from+"/") {
		return to + name[len(from):]
	}
	return name
}
