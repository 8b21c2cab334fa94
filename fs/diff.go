package fs

import (
	"sort"
	"time"
)

// ChangeKind is how a path differs from the layers below, as `docker
// diff` prints it.
type ChangeKind byte

// The kinds `docker diff` prints.
const (
	Added    ChangeKind = 'A'
	Modified ChangeKind = 'C'
	Deleted  ChangeKind = 'D'
)

// Change is one changed path of a container's upper directory.
type Change struct {
	Path string // absolute in the container: "/etc/passwd"
	Kind ChangeKind
}

// DiffOptions tell Diff and WriteDiff how to read an overlay upper
// directory.
type DiffOptions struct {
	// OpaqueXattr marks opaque directories in the upper directory:
	// DefaultOpaqueXattr, or UserOpaqueXattr for a userxattr mount.
	OpaqueXattr string
	// Lower are the overlay lower directories, topmost first: a path
	// found in one is Modified, otherwise Added.
	Lower []string
	// Hidden paths are never part of the diff (the /etc/hosts,
	// /etc/resolv.conf and /etc/hostname pocket bind-mounts).
	Hidden []string
	// Stubs are mount targets: left out when they are an empty file or
	// an empty directory, the stub pocket made to mount on.
	Stubs []string
	// Epoch, when set, clamps every mtime to it (SOURCE_DATE_EPOCH), so
	// the same changes give the same layer bytes.
	Epoch *time.Time
}

func (o DiffOptions) opaqueXattr() string {
	if o.OpaqueXattr == "" {
		return DefaultOpaqueXattr
	}
	return o.OpaqueXattr
}

// SortChanges orders changes by path, as Docker prints them.
func SortChanges(c []Change) {
	sort.Slice(c, func(i, j int) bool { return c[i].Path < c[j].Path })
}
