package build

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// privateTmpfsDir is a new 0700 directory on a tmpfs (/dev/shm, else
// $XDG_RUNTIME_DIR) so that a secret never touches a disk; fallback
// (the store's temporary directory, removed with the build) only where
// the host has no tmpfs to use. Its name holds pocket's pid: the
// directories of builds killed before they could clean up (secrets
// among them) are removed here by the next build.
func privateTmpfsDir(fallback string) (string, error) {
	for _, d := range []string{"/dev/shm", os.Getenv("XDG_RUNTIME_DIR")} {
		var st unix.Statfs_t
		if d == "" || unix.Statfs(d, &st) != nil || st.Type != unix.TMPFS_MAGIC {
			continue
		}
		sweepSessionDirs(d)
		if dir, err := os.MkdirTemp(d, "pocket-build-"+strconv.Itoa(os.Getpid())+"-"); err == nil {
			return dir, nil
		}
	}
	return os.MkdirTemp(fallback, "session-")
}

// sweepSessionDirs removes the session directories in d whose build is
// gone (its pid answers ESRCH); what this user may not remove stays.
func sweepSessionDirs(d string) {
	des, err := os.ReadDir(d)
	if err != nil {
		return
	}
	for _, de := range des {
		rest, ok := strings.CutPrefix(de.Name(), "pocket-build-")
		if !ok || !de.IsDir() {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid <= 0 {
			continue
		}
		if errors.Is(unix.Kill(pid, 0), unix.ESRCH) {
			os.RemoveAll(filepath.Join(d, de.Name()))
		}
	}
}
