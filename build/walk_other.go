//go:build !linux

package build

import (
	"io/fs"
	"os"
	"path/filepath"
)

// walkTree is filepath.WalkDir with each file's lstat (see walk_linux.go).
func walkTree(top string, _ os.FileInfo, _ func(p string) bool, _ func(n int), fn func(p string, fi os.FileInfo) error) error {
	return filepath.WalkDir(top, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := de.Info()
		if err != nil {
			return err
		}
		return fn(p, fi)
	})
}
