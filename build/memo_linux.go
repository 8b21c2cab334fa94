package build

import (
	"fmt"
	"os"
)

// memoKey is a file's identity for the memo: what changes when its
// content does (device, inode, size, mtime, ctime); "" when unknown.
func memoKey(fi os.FileInfo) string {
	st := statT(fi)
	if st == nil {
		return ""
	}
	return fmt.Sprintf("%d:%d:%d:%d.%d:%d.%d", st.Dev, st.Ino, st.Size, st.Mtim.Sec, st.Mtim.Nsec, st.Ctim.Sec, st.Ctim.Nsec)
}
