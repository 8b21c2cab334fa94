package build

import (
	"os"

	"golang.org/x/sys/unix"
)

// privateTmpfsDir is a new 0700 directory on a tmpfs (/dev/shm, else
// $XDG_RUNTIME_DIR) so that a secret never touches a disk; fallback
// (the store's temporary directory, removed with the build) only where
// the host has no tmpfs to use.
func privateTmpfsDir(fallback string) (string, error) {
	for _, d := range []string{"/dev/shm", os.Getenv("XDG_RUNTIME_DIR")} {
		var st unix.Statfs_t
		if d == "" || unix.Statfs(d, &st) != nil || st.Type != unix.TMPFS_MAGIC {
			continue
		}
		if dir, err := os.MkdirTemp(d, "pocket-build-"); err == nil {
			return dir, nil
		}
	}
	return os.MkdirTemp(fallback, "session-")
}
