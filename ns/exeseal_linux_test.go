package ns

import (
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// TestSealedExe: CVE-2019-5736. Both ways of sealing the binary give a
// file nothing can write: a read-only mount, or a memfd sealed against
// writes.
func TestSealedExe(t *testing.T) {
	for _, tt := range []struct {
		name string
		seal func() (*os.File, error)
	}{
		{"read-only bind mount", roBindSelf},
		{"sealed memfd", memfdSelf},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, err := tt.seal()
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			// The test binary runs, so opening it for writing fails anyway
			// (ETXTBSY): look at what would refuse once it does not.
			var fs unix.Statfs_t
			if err := unix.Fstatfs(int(f.Fd()), &fs); err != nil {
				t.Fatal(err)
			}
			if fs.Flags&unix.ST_RDONLY != 0 {
				return
			}
			seals, err := unix.FcntlInt(f.Fd(), unix.F_GET_SEALS, 0)
			if err != nil || seals&unix.F_SEAL_WRITE == 0 {
				t.Errorf("the binary is on a writable mount and not sealed (seals %#x, %v)", seals, err)
			}
		})
	}
	f, err := SealedExe()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if fd := int(f.Fd()); fd < sealedFDMin || f.Name() != "/proc/self/fd/"+strconv.Itoa(fd) {
		t.Errorf("SealedExe = fd %d named %q, want fd >= %d named after it", fd, f.Name(), sealedFDMin)
	}
}

// BenchmarkSealedExe is what sealing adds to a container's start. The
// close (dissolving the mount waits for an RCU grace period) is left out:
// run overlaps it with init's own start-up.
func BenchmarkSealedExe(b *testing.B) {
	for _, bb := range []struct {
		name string
		seal func() (*os.File, error)
	}{
		{"SealedExe", SealedExe},
		{"memfd", memfdSelf},
	} {
		b.Run(bb.name, func(b *testing.B) {
			for b.Loop() {
				f, err := bb.seal()
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				f.Close()
				b.StartTimer()
			}
		})
	}
}
