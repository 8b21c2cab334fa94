package store

import (
	"fmt"
	"os"
	"syscall"
)

// treeStamp identifies the diff directory of the layer directory dir as
// it is on disk now.
func treeStamp(dir string) (string, error) {
	fi, err := os.Lstat(dir + "/" + layerDiff)
	if err != nil {
		return "", err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "", fmt.Errorf("stat %s: no inode", dir)
	}
	return fmt.Sprintf("%d:%d:%d.%d\n", st.Dev, st.Ino, st.Ctim.Sec, st.Ctim.Nsec), nil
}
