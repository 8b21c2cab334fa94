package ns

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// installSeccomp loads the container's filter. TSYNC puts it on every
// thread of init at once: exec keeps only the calling thread, but with
// --init pocket stays PID 1 and its Go runtime's other threads would
// otherwise run unfiltered beside the container's processes.
func installSeccomp(s *Seccomp) error {
	if s == nil {
		return nil
	}
	n := len(s.Program) / 8
	if n == 0 || n > unix.BPF_MAXINSNS || len(s.Program)%8 != 0 {
		return fmt.Errorf("seccomp filter: %d bytes is no program", len(s.Program))
	}
	prog := make([]unix.SockFilter, n)
	for i := range prog {
		b := s.Program[8*i:]
		prog[i] = unix.SockFilter{
			Code: binary.NativeEndian.Uint16(b),
			Jt:   b[2],
			Jf:   b[3],
			K:    binary.NativeEndian.Uint32(b[4:]),
		}
	}
	fprog := unix.SockFprog{Len: uint16(n), Filter: &prog[0]}
	flags := unix.SECCOMP_FILTER_FLAG_TSYNC | s.Flags
	r, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, uintptr(flags), uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(prog)
	if errno != 0 {
		return fmt.Errorf("install seccomp filter: %w", errno)
	}
	if r != 0 {
		// With TSYNC the kernel names a thread it could not move over.
		return fmt.Errorf("install seccomp filter: thread %d cannot take it", r)
	}
	return nil
}
