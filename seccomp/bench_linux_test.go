package seccomp

import (
	"runtime"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The machine that runs the benchmarks is often busy: besides wall time
// they report the CPU time of the thread that did the work
// (RUSAGE_THREAD), which the other processes do not inflate.

func threadCPU(b *testing.B) time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_THREAD, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDefault is what `pocket run` pays to resolve and compile
// Docker's default profile (the parent does it, once per container).
func BenchmarkDefault(b *testing.B) {
	b.Run("resolve", func(b *testing.B) {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		b.ReportAllocs()
		start := threadCPU(b)
		for b.Loop() {
			if _, err := Default(dockerCaps); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(threadCPU(b)-start)/float64(b.N), "cpu-ns/op")
	})
	p, err := Default(dockerCaps)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("compile", func(b *testing.B) {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		b.ReportAllocs()
		start := threadCPU(b)
		for b.Loop() {
			f, err := Compile(p)
			if err != nil {
				b.Fatal(err)
			}
			_ = f.Bytes()
		}
		b.ReportMetric(float64(threadCPU(b)-start)/float64(b.N), "cpu-ns/op")
	})
}

// BenchmarkInstall is what the container's init pays to load the filter
// (the kernel checks, converts and JITs it). Each filter goes on a
// thread of its own, with no_new_privs, and the thread ends with it: the
// test process stays unfiltered. Only the seccomp(2) call is reported.
func BenchmarkInstall(b *testing.B) {
	p, err := Default(dockerCaps)
	if err != nil {
		b.Fatal(err)
	}
	f, err := Compile(p)
	if err != nil {
		b.Fatal(err)
	}
	prog := make([]unix.SockFilter, len(f.Program))
	for i, ins := range f.Program {
		prog[i] = unix.SockFilter{Code: ins.Op, Jt: ins.Jt, Jf: ins.Jf, K: ins.K}
	}
	var wall, cpu time.Duration
	for b.Loop() {
		errc := make(chan error)
		go func() {
			// Never unlocked: the thread exits with the goroutine.
			runtime.LockOSThread()
			if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
				errc <- err
				return
			}
			fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
			start, startCPU := time.Now(), threadCPU(b)
			_, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&fprog)))
			wall += time.Since(start)
			cpu += threadCPU(b) - startCPU
			if errno != 0 {
				errc <- errno
				return
			}
			errc <- nil
		}()
		if err := <-errc; err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(wall)/float64(b.N), "wall-ns/seccomp")
	b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/seccomp")
	b.ReportMetric(float64(len(prog)), "insns")
}
