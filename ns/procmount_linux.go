package ns

import (
	"fmt"
	"os"
	"slices"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/cyphar/filepath-securejoin/pathrs-lite/procfs"
	"golang.org/x/sys/unix"
)

// validProcMounts are the only paths under /proc a -v, --mount or --tmpfs
// may cover: the files lxcfs emulates. runc allows these and no others
// (libcontainer/rootfs_linux.go, checkProcMount), so Docker does too.
var validProcMounts = []string{
	"/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat",
	"/proc/swaps", "/proc/uptime", "/proc/loadavg", "/proc/slabinfo",
	"/proc/sys/kernel/ns_last_pid", "/proc/sys/crypto/fips_enabled",
}

// checkProcMount refuses a mount the user (or the image, through a
// symlink such as /etc/hosts -> /proc/sys/kernel/core_pattern) puts on or
// inside the container's /proc: over /proc itself only the root of a
// procfs may be bound; inside it only validProcMounts. Anything else could
// hide what masking protects or replace procfs with something else
// (CVE-2019-16884). rel is where target resolved to inside the rootfs.
func checkProcMount(rel, source, target, fstype string) error {
	if rel != "/proc" && !strings.HasPrefix(rel, "/proc/") {
		return nil
	}
	if rel == "/proc" {
		if fstype == "bind" && isProcRoot(source) {
			return nil
		}
		return fmt.Errorf("mount %s on %s: %s %w because it is not of type proc", fstype, target, rel, ErrProcMount)
	}
	if slices.Contains(validProcMounts, rel) {
		return nil
	}
	return fmt.Errorf("mount %s on %s: %s %w because it is inside /proc (hint: only the files lxcfs provides, such as /proc/cpuinfo, may be)",
		fstype, target, rel, ErrProcMount)
}

// isProcRoot reports whether source is the root of a procfs.
func isProcRoot(source string) bool {
	var sfs unix.Statfs_t
	var st unix.Stat_t
	return unix.Statfs(source, &sfs) == nil && sfs.Type == unix.PROC_SUPER_MAGIC &&
		unix.Stat(source, &st) == nil && st.Ino == procRootIno
}

// procRootIno is the inode number of a procfs root, and of no other file
// on a procfs.
const procRootIno = 1

// checkProcTarget is checkProcMount for target before it is opened: where
// it resolves inside the rootfs, symlinks followed as the open will.
func (r *root) checkProcTarget(source, target, fstype string) error {
	full, err := securejoin.SecureJoin(r.path, target)
	if err != nil {
		return fmt.Errorf("mount %s on %s: %w", fstype, target, err)
	}
	rel := "/" + strings.TrimPrefix(strings.TrimPrefix(full, r.path), "/")
	return checkProcMount(rel, source, target, fstype)
}

// checkProcHandle is checkProcMount for the opened target h: where it
// really is, read from a verified procfs (pathrs checks the /proc it reads
// /proc/self/fd from, CVE-2025-52881).
func (r *root) checkProcHandle(h *os.File, source, target, fstype string) error {
	rel, err := r.rel(h)
	if err != nil {
		return fmt.Errorf("mount %s on %s: %w", fstype, target, err)
	}
	return checkProcMount(rel, source, target, fstype)
}

// rel is the path of the open file h inside the root.
func (r *root) rel(h *os.File) (string, error) {
	rootPath, err := procfs.ProcSelfFdReadlink(r.dir)
	if err != nil {
		return "", err
	}
	p, err := procfs.ProcSelfFdReadlink(h)
	if err != nil {
		return "", err
	}
	switch {
	case p == rootPath:
		return "/", nil
	case strings.HasPrefix(p, rootPath+"/"):
		return p[len(rootPath):], nil
	}
	return "", fmt.Errorf("%w: %s is outside the rootfs", ErrUnsafePath, p)
}
