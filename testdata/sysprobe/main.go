// Command sysprobe makes the syscalls named on its command line, raw,
// and prints one line per call, "name errno" or "name ok", for the
// seccomp tests (a shell cannot call keyctl or perf_event_open).
package main

import (
	"fmt"
	"os"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

func main() {
	// unshare acts on the calling thread.
	runtime.LockOSThread()
	for _, name := range os.Args[1:] {
		fmt.Println(name, errno(call(name)))
	}
}

func call(name string) error {
	switch name {
	case "keyctl":
		// KEYCTL_GET_KEYRING_ID of the session keyring.
		return raw(unix.SYS_KEYCTL, unix.KEYCTL_GET_KEYRING_ID, keyring(unix.KEY_SPEC_SESSION_KEYRING), 0)
	case "add_key":
		typ, desc, payload := []byte("user\x00"), []byte("probe\x00"), []byte("x")
		return raw(unix.SYS_ADD_KEY, uintptr(unsafe.Pointer(&typ[0])), uintptr(unsafe.Pointer(&desc[0])),
			uintptr(unsafe.Pointer(&payload[0])), 1, keyring(unix.KEY_SPEC_PROCESS_KEYRING))
	case "perf_event_open":
		// A NULL attribute: EFAULT when the kernel gets to look.
		return raw(unix.SYS_PERF_EVENT_OPEN, 0, 0, ^uintptr(0), ^uintptr(0), 0)
	case "unshare-user":
		return unix.Unshare(unix.CLONE_NEWUSER)
	case "socket-vsock":
		fd, err := unix.Socket(unix.AF_VSOCK, unix.SOCK_STREAM, 0)
		if err == nil {
			unix.Close(fd)
		}
		return err
	case "socket-inet":
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
		if err == nil {
			unix.Close(fd)
		}
		return err
	case "personality-query":
		return raw(unix.SYS_PERSONALITY, 0xffffffff)
	case "personality-addr-no-randomize":
		return raw(unix.SYS_PERSONALITY, 0x0040000)
	case "shmget":
		// A SysV shared memory segment with key "pock" that outlives the
		// process, for the --ipc container: test to find in
		// /proc/sysvipc/shm.
		_, err := unix.SysvShmGet(0x706f636b, 4096, unix.IPC_CREAT|0o600)
		return err
	case "clone3":
		// A NULL clone_args: EFAULT (or EINVAL) when the kernel gets to
		// look; never a child.
		return raw(unix.SYS_CLONE3, 0, 0)
	}
	fmt.Fprintln(os.Stderr, "sysprobe: unknown call", name)
	os.Exit(2)
	return nil
}

// keyring passes a negative special keyring id as the kernel reads it.
func keyring(id int) uintptr { return uintptr(id) }

func raw(nr uintptr, args ...uintptr) error {
	var a [6]uintptr
	copy(a[:], args)
	_, _, e := unix.Syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5])
	if e != 0 {
		return e
	}
	return nil
}

func errno(err error) string {
	if err == nil {
		return "ok"
	}
	if e, ok := err.(unix.Errno); ok {
		return unix.ErrnoName(e)
	}
	return err.Error()
}
