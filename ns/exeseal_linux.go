package ns

import (
	"fmt"
	"io"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// sealedFDMin is the lowest descriptor a sealed binary gets: above those
// os/exec shuffles in the child while it places ExtraFiles at 3, 4, 5.
const sealedFDMin = 100

// SealedExe is pocket's own binary, read-only, for starting a container's
// init as exec.Command(f.Name(), "init"): f.Name() is /proc/self/fd/N.
// CVE-2019-5736: /proc/PID/exe of any pocket process in the container (init
// before it execs, the --init reaper, pocket run again through an entrypoint
// "#!/proc/self/exe") must not be a way to write the host's binary.
//
// It is a detached read-only bind mount of the binary (open_tree
// OPEN_TREE_CLONE and mount_setattr MOUNT_ATTR_RDONLY, Linux 5.12): no copy,
// a few syscalls, and a write through it fails with EROFS. The mount is
// dissolved when f is closed, so nothing can remount it writable; the
// exec'd init keeps its file. Where that is not possible it falls back to a
// sealed memfd copy (runc's libcontainer/exeseal), which costs a copy of the
// binary per start. The caller closes f once the child has started.
func SealedExe() (*os.File, error) {
	f, err := roBindSelf()
	if err != nil {
		if f, err = memfdSelf(); err != nil {
			return nil, fmt.Errorf("seal pocket's binary: %w", err)
		}
	}
	defer f.Close()
	high, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, sealedFDMin)
	if err != nil {
		return nil, &os.SyscallError{Syscall: "fcntl(F_DUPFD_CLOEXEC)", Err: err}
	}
	return os.NewFile(uintptr(high), "/proc/self/fd/"+strconv.Itoa(high)), nil
}

// roBindSelf is an O_PATH handle of a detached, read-only bind mount of
// /proc/self/exe.
func roBindSelf() (*os.File, error) {
	fd, err := unix.OpenTree(unix.AT_FDCWD, "/proc/self/exe", unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC)
	if err != nil {
		return nil, &os.SyscallError{Syscall: "open_tree", Err: err}
	}
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}
	if err := unix.MountSetattr(fd, "", unix.AT_EMPTY_PATH, &attr); err != nil {
		unix.Close(fd)
		return nil, &os.SyscallError{Syscall: "mount_setattr", Err: err}
	}
	return os.NewFile(uintptr(fd), "pocket (read-only)"), nil
}

// memfdSelf is a copy of /proc/self/exe in a memfd sealed against any
// change, opened read-only (exec refuses a file open for writing).
func memfdSelf() (*os.File, error) {
	const flags = unix.MFD_CLOEXEC | unix.MFD_ALLOW_SEALING
	// Linux 6.3 with vm.memfd_noexec wants executable memfds asked for.
	fd, err := unix.MemfdCreate("pocket", flags|unix.MFD_EXEC)
	if err == unix.EINVAL {
		fd, err = unix.MemfdCreate("pocket", flags)
	}
	if err != nil {
		return nil, &os.SyscallError{Syscall: "memfd_create", Err: err}
	}
	mem := os.NewFile(uintptr(fd), "memfd:pocket")
	defer mem.Close()
	self, err := os.Open("/proc/self/exe")
	if err != nil {
		return nil, err
	}
	_, err = io.Copy(mem, self)
	self.Close()
	if err == nil {
		err = mem.Chmod(0o511)
	}
	if err == nil {
		_, err = unix.FcntlInt(mem.Fd(), unix.F_ADD_SEALS, unix.F_SEAL_SEAL|unix.F_SEAL_SHRINK|unix.F_SEAL_GROW|unix.F_SEAL_WRITE)
	}
	if err != nil {
		return nil, fmt.Errorf("copy pocket's binary to a memfd: %w", err)
	}
	return os.OpenFile("/proc/self/fd/"+strconv.Itoa(fd), os.O_RDONLY|unix.O_CLOEXEC, 0)
}
