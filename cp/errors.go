package cp

import "errors"

// Docker's copy errors (moby/go-archive copy.go), word for word: scripts
// match them.
var (
	ErrNotDirectory  = errors.New("not a directory")
	ErrDirNotExists  = errors.New("no such directory")
	ErrCannotCopyDir = errors.New("cannot copy directory")
	// ErrNotFound is a path that does not exist in the root.
	ErrNotFound = errors.New("no such file or directory")
	// ErrUnsafePath is a tar entry or destination that would leave the
	// directory it is extracted to, or land on a kernel filesystem.
	ErrUnsafePath = errors.New("unsafe path")
	// ErrOS is returned where copying needs Linux.
	ErrOS = errors.New("copying files needs Linux")
)
