//go:build !linux

package store

import (
	"fmt"
	"os"
)

// treeStamp identifies the diff directory of the layer directory dir as
// it is on disk now (its modification time: there is no portable inode).
func treeStamp(dir string) (string, error) {
	fi, err := os.Lstat(dir + "/" + layerDiff)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d\n", fi.ModTime().UnixNano()), nil
}
