package ns

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// sealedFDMin is the lowest descriptor a sealed binary gets: above those
// os/exec shuffles in the child while it places ExtraFiles at 3, 4, 5.
const sealedFDMin = 100

// SealedExe is the binary a container's init starts from, read-only, for
// exec.Command(f.Name(), "init") or ExecInitCommand: f.Name() is
// /proc/self/fd/N. Built by `make`, that is the small init embedded in
// pocket (ns/nsinit), kept in the directory cache (see cachedInit);
// otherwise pocket's own binary. The caller closes f once the child has
// started.
//
// CVE-2019-5736: /proc/PID/exe of any pocket process in the container (init
// before it execs, the --init reaper, pocket run again through an entrypoint
// "#!/proc/self/exe") must not be a way to write the host's binary. The
// file is a detached read-only bind mount of it (open_tree
// OPEN_TREE_CLONE and mount_setattr MOUNT_ATTR_RDONLY, Linux 5.12): no
// copy, a few syscalls, and a write through it fails with EROFS. The mount
// is dissolved when f is closed, so nothing can remount it writable; the
// exec'd init keeps its file. Where that is not possible it is a sealed
// memfd copy (runc's libcontainer/exeseal), which costs a copy per start.
func SealedExe(cache string) (*os.File, error) {
	f, err := sealedInit(cache)
	if f == nil {
		if f, err = roBind("/proc/self/exe"); err != nil {
			f, err = memfdSelf()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("seal pocket's binary: %w", err)
	}
	defer f.Close()
	high, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, sealedFDMin)
	if err != nil {
		return nil, &os.SyscallError{Syscall: "fcntl(F_DUPFD_CLOEXEC)", Err: err}
	}
	return os.NewFile(uintptr(high), "/proc/self/fd/"+strconv.Itoa(high)), nil
}

// sealedInit is the embedded init, sealed: a read-only bind of its file in
// cache, or a sealed memfd copy of it where that cannot be (no cache, a
// noexec mount) and this host allows executable memfds. It is nil, and no
// error, in a pocket without an embedded init or where neither can be:
// then init starts from pocket's own binary.
func sealedInit(cache string) (*os.File, error) {
	if initExe == "" {
		return nil, nil
	}
	if cache != "" {
		if f := cachedInit(cache); f != nil {
			return f, nil
		}
	}
	// A third of the init's start-up saved by the cached file: copying
	// 2.7 MB into a fresh memfd is a few milliseconds of page faults.
	f, err := sealedMemfd("pocket-init", func(mem *os.File) error {
		_, err := mem.WriteString(initExe)
		return err
	})
	if errors.Is(err, unix.EACCES) { // vm.memfd_noexec=2
		return nil, nil
	}
	return f, err
}

// cachedInit is a read-only bind of the embedded init's file in dir,
// written there by the first start of this build of pocket: the file is
// named after the init's Go build ID, a hash of everything it was built
// from, so another pocket build never runs it. nil where it cannot be
// made or run (a full disk, a noexec mount, a damaged file, which is
// written again for the next start). The directory is pocket's
// own (the store), writable by whoever can replace pocket's binary.
func cachedInit(dir string) *os.File {
	id := initBuildID()
	if id == "" {
		return nil
	}
	path := filepath.Join(dir, "pocket-init-"+id)
	f, err := roBind(path)
	if errors.Is(err, os.ErrNotExist) {
		if err = writeInit(dir, path); err == nil {
			f, err = roBind(path)
		}
	}
	if err != nil {
		return nil
	}
	var st unix.Stat_t
	if unix.Fstat(int(f.Fd()), &st) != nil || st.Size != int64(len(initExe)) {
		// Not this init (truncated, replaced): never run, written anew
		// for the next start.
		f.Close()
		writeInit(dir, path)
		return nil
	}
	var fs unix.Statfs_t
	if unix.Fstatfs(int(f.Fd()), &fs) != nil || fs.Flags&unix.ST_NOEXEC != 0 {
		f.Close()
		return nil
	}
	return f
}

// writeInit writes the embedded init to path whole or not at all: a
// temporary file renamed into place, so concurrent first starts each
// rename a complete copy.
func writeInit(dir, path string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".pocket-init-*")
	if err != nil {
		return err
	}
	_, err = tmp.WriteString(initExe)
	if err == nil {
		err = tmp.Chmod(0o555)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return err
	}
	pruneInits(dir, path)
	return nil
}

// pruneInits removes, once a new build of pocket has written its init,
// the inits of earlier builds (one per upgrade would pile up) and the
// temporary files of first starts killed while writing (an hour old: a
// younger one may be another start's, still being written). A pocket of
// another build that finds its file gone writes it again, or runs from a
// memfd; a running init keeps the file it was started from.
func pruneInits(dir, keep string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		switch {
		case p == keep:
		case strings.HasPrefix(e.Name(), "pocket-init-"):
			os.Remove(p)
		case strings.HasPrefix(e.Name(), ".pocket-init-"):
			if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > time.Hour {
				os.Remove(p)
			}
		}
	}
}

// initBuildID is the embedded init's Go build ID (its ELF note "Go", type
// 4, which the go command writes near the start of every binary), hashed
// to a file name; "" if it has none.
func initBuildID() string {
	head := initExe[:min(len(initExe), 16<<10)]
	const tag = "\x04\x00\x00\x00Go\x00\x00" // n_type 4, name "Go"
	i := strings.Index(head, tag)
	if i < 4 {
		return ""
	}
	n := int(binary.LittleEndian.Uint32([]byte(head[i-4 : i])))
	id := head[i+len(tag) : min(len(head), i+len(tag)+n)]
	if n == 0 || len(id) != n {
		return ""
	}
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:12])
}

// roBind is an O_PATH handle of a detached, read-only bind mount of path.
func roBind(path string) (*os.File, error) {
	fd, err := unix.OpenTree(unix.AT_FDCWD, path, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC)
	if err != nil {
		return nil, &os.PathError{Op: "open_tree", Path: path, Err: err}
	}
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}
	if err := unix.MountSetattr(fd, "", unix.AT_EMPTY_PATH, &attr); err != nil {
		unix.Close(fd)
		return nil, &os.SyscallError{Syscall: "mount_setattr", Err: err}
	}
	return os.NewFile(uintptr(fd), path+" (read-only)"), nil
}

// memfdSelf is a copy of /proc/self/exe in a sealed memfd.
func memfdSelf() (*os.File, error) {
	return sealedMemfd("pocket", func(mem *os.File) error {
		self, err := os.Open("/proc/self/exe")
		if err != nil {
			return err
		}
		defer self.Close()
		_, err = io.Copy(mem, self)
		return err
	})
}

// sealedMemfd is a memfd named name, filled by fill, then sealed against
// any change and opened read-only (exec refuses a file open for writing).
func sealedMemfd(name string, fill func(*os.File) error) (*os.File, error) {
	const flags = unix.MFD_CLOEXEC | unix.MFD_ALLOW_SEALING
	// Linux 6.3 with vm.memfd_noexec wants executable memfds asked for.
	fd, err := unix.MemfdCreate(name, flags|unix.MFD_EXEC)
	if err == unix.EINVAL {
		fd, err = unix.MemfdCreate(name, flags)
	}
	if err != nil {
		return nil, &os.SyscallError{Syscall: "memfd_create", Err: err}
	}
	mem := os.NewFile(uintptr(fd), "memfd:"+name)
	defer mem.Close()
	err = fill(mem)
	if err == nil {
		err = mem.Chmod(0o511)
	}
	if err == nil {
		_, err = unix.FcntlInt(mem.Fd(), unix.F_ADD_SEALS, unix.F_SEAL_SEAL|unix.F_SEAL_SHRINK|unix.F_SEAL_GROW|unix.F_SEAL_WRITE)
	}
	if err != nil {
		return nil, fmt.Errorf("copy %s to a memfd: %w", name, err)
	}
	return os.OpenFile("/proc/self/fd/"+strconv.Itoa(fd), os.O_RDONLY|unix.O_CLOEXEC, 0)
}
