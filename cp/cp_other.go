//go:build !linux

package cp

import (
	"io"
	"os"
)

// Info is what a path in a root is.
type Info struct {
	Exists bool
	IsDir  bool
	Mode   uint32
	Size   int64
	Link   string
}

// IsLink reports whether the path is a symlink.
func (i Info) IsLink() bool { return false }

// ExtractOptions say how the entries of a copy land.
type ExtractOptions struct {
	Owner     *[2]int
	NoChown   bool
	NoSetID   bool
	NoDevices bool
	From, To  string
}

// OpenDir needs Linux.
func OpenDir(root *os.File, dir string) (*os.File, error) { return nil, ErrOS }

// Lstat needs Linux.
func Lstat(root *os.File, p string) (*os.File, string, Info, error) {
	return nil, "", Info{}, ErrOS
}

// WriteTar needs Linux.
func WriteTar(w io.Writer, dir *os.File, base, name string) error { return ErrOS }

// Extract needs Linux.
func Extract(r io.Reader, dir *os.File, o ExtractOptions) error { return ErrOS }
