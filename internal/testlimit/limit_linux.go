// Package testlimit puts temporary resource limits on a test process, to
// make writes fail part-way as they do when a disk fills up.
package testlimit

import (
	"testing"

	"golang.org/x/sys/unix"
)

// FileSize runs fn with RLIMIT_FSIZE at n bytes: a write past n fails with
// EFBIG part-way, as one does when the disk fills up. (The Go runtime
// ignores the SIGXFSZ that comes with it.) The limit is the whole
// process's, so fn must be short and nothing else may write files then.
// It never raises the hard limit.
func FileSize(t *testing.T, n uint64, fn func()) {
	t.Helper()
	var old unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	if n > old.Max {
		n = old.Max
	}
	if err := unix.Setrlimit(unix.RLIMIT_FSIZE, &unix.Rlimit{Cur: n, Max: old.Max}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := unix.Setrlimit(unix.RLIMIT_FSIZE, &old); err != nil {
			t.Fatal(err)
		}
	}()
	fn()
}
