package ns

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// errCwdOutside is runc's answer to CVE-2024-21626.
var errCwdOutside = errors.New("current working directory is outside of container mount namespace root -- possible container breakout detected")

// chdirInRoot enters the working directory, creating it when missing, after
// pivot_root. CVE-2024-21626: `-w /proc/self/fd/N`, where N is a host
// directory init holds open, would start the command in the host's
// filesystem. The path is resolved inside the new root without magic links
// (openat2 RESOLVE_IN_ROOT through pathrs), and, as runc does, getcwd must
// then name a path inside the root: the kernel reports a directory outside
// it as "(unreachable)", which unix.Getwd turns into ENOENT.
func chdirInRoot(cwd string) error {
	if !filepath.IsAbs(cwd) {
		return fmt.Errorf("working directory %q is not an absolute path", cwd)
	}
	root, err := os.OpenFile("/", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer root.Close()
	dir, err := pathrs.MkdirAllHandle(root, cwd, 0o755)
	if err != nil {
		return fmt.Errorf("create working directory: %w", err)
	}
	defer dir.Close()
	if err := unix.Fchdir(int(dir.Fd())); err != nil {
		return &os.PathError{Op: "chdir", Path: cwd, Err: err}
	}
	return checkCwd()
}

// checkCwd fails unless the working directory is inside the root.
func checkCwd() error {
	wd, err := unix.Getwd()
	if errors.Is(err, unix.ENOENT) {
		return errCwdOutside
	}
	if err != nil {
		return fmt.Errorf("check working directory: %w", err)
	}
	if !filepath.IsAbs(wd) {
		return fmt.Errorf("%w: cwd is %q", errCwdOutside, wd)
	}
	return nil
}
