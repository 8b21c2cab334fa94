package ns

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

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
		{"read-only bind mount", func() (*os.File, error) { return roBind("/proc/self/exe") }},
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
	f, err := SealedExe(t.TempDir())
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
		{"SealedExe", func() (*os.File, error) { return SealedExe("") }},
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

// fakeInit is a stand-in for the embedded init: bytes with a Go build-ID
// note (n_namesz 4, n_descsz, n_type 4, "Go\0\0", the ID), as the go
// command writes it.
func fakeInit(id, body string) string {
	var n [4]byte
	binary.LittleEndian.PutUint32(n[:], uint32(len(id)))
	return "\x7fELF" + "\x04\x00\x00\x00" + string(n[:]) + "\x04\x00\x00\x00Go\x00\x00" + id + body
}

// TestCachedInit: the embedded init is written once to the cache, whole
// and read-only, named after its build ID, and reused; a file there that
// is not it (another size) is never run, and another build gets a file
// of its own.
func TestCachedInit(t *testing.T) {
	defer func(old string) { initExe = old }(initExe)
	dir := filepath.Join(t.TempDir(), "bin")
	initExe = fakeInit("abc/def", "first build")
	f := cachedInit(dir)
	if f == nil {
		t.Fatal("cachedInit = nil on an empty cache, want the written init")
	}
	f.Close()
	files, _ := filepath.Glob(filepath.Join(dir, "pocket-init-*"))
	if len(files) != 1 {
		t.Fatalf("cache holds %v, want one pocket-init file", files)
	}
	st, err := os.Stat(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o555 || st.Size() != int64(len(initExe)) {
		t.Errorf("cached init is %v, %d bytes; want r-xr-xr-x, %d bytes", st.Mode(), st.Size(), len(initExe))
	}
	if b, _ := os.ReadFile(files[0]); string(b) != initExe {
		t.Error("cached init differs from the embedded one")
	}

	// Reused: a second start finds the same file.
	if f = cachedInit(dir); f == nil {
		t.Fatal("cachedInit = nil on the second start")
	}
	f.Close()
	if again, _ := filepath.Glob(filepath.Join(dir, "pocket-init-*")); len(again) != 1 {
		t.Errorf("second start left %v", again)
	}

	// A truncated or replaced file is not this init.
	if err := os.Chmod(files[0], 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(files[0], []byte("#!/bin/sh\necho pwned\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if f = cachedInit(dir); f != nil {
		f.Close()
		t.Error("cachedInit used a file of another size")
	}
	// ... and writes it anew for the next start.
	if f = cachedInit(dir); f == nil {
		t.Fatal("cachedInit = nil after the damaged file was written again")
	}
	f.Close()
	if b, _ := os.ReadFile(files[0]); string(b) != initExe {
		t.Error("the damaged init was not written again")
	}

	// Another build of the init has another name, and removes the inits
	// of earlier builds and stale temporary files (not a fresh one).
	stale, fresh := filepath.Join(dir, ".pocket-init-1"), filepath.Join(dir, ".pocket-init-2")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("half"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	initExe = fakeInit("abc/xyz", "second build, longer")
	if f = cachedInit(dir); f == nil {
		t.Fatal("cachedInit = nil for a second build")
	}
	f.Close()
	now, _ := filepath.Glob(filepath.Join(dir, "pocket-init-*"))
	if len(now) != 1 || now[0] == files[0] {
		t.Errorf("cache holds %v, want the second build's init alone", now)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("a temporary file two hours old stays (%v)", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a fresh temporary file, maybe another start's, was removed: %v", err)
	}

	// No build ID, no cache: the memfd or pocket's own binary serve.
	initExe = "no note here"
	if f = cachedInit(dir); f != nil {
		f.Close()
		t.Error("cachedInit cached an init without a build ID")
	}
}
