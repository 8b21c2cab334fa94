package build

import (
	"os"
	"strconv"
)

// memoKey is a file's identity for the memo: what changes when its
// content does (device, inode, size, mtime, ctime); "" when unknown.
func memoKey(fi os.FileInfo) string {
	st := statT(fi)
	if st == nil {
		return ""
	}
	// "dev:ino:size:mtime:ctime", built without fmt: a no-change
	// rebuild makes one per file of the context.
	b := make([]byte, 0, 80)
	b = strconv.AppendUint(b, uint64(st.Dev), 10)
	b = strconv.AppendUint(append(b, ':'), uint64(st.Ino), 10)
	b = strconv.AppendInt(append(b, ':'), st.Size, 10)
	b = strconv.AppendInt(append(b, ':'), int64(st.Mtim.Sec), 10)
	b = strconv.AppendInt(append(b, '.'), int64(st.Mtim.Nsec), 10)
	b = strconv.AppendInt(append(b, ':'), int64(st.Ctim.Sec), 10)
	b = strconv.AppendInt(append(b, '.'), int64(st.Ctim.Nsec), 10)
	return string(b)
}
