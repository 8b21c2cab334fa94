package store

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

func dirFlags(t *testing.T, dir string) (uint32, error) {
	t.Helper()
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	return unix.IoctlGetUint32(fd, unix.FS_IOC_GETFLAGS)
}

// TestOpenSpreadsTrees: a new store's directories of layer, container
// and volume trees, and tmp/ where they are made, are the top of
// directory hierarchies for ext4's allocator (chattr +T); the others are
// not, and an existing store is left as it is.
func TestOpenSpreadsTrees(t *testing.T) {
	probe := filepath.Join(t.TempDir(), "probe")
	if err := os.Mkdir(probe, 0o700); err != nil {
		t.Fatal(err)
	}
	spread(probe)
	if f, err := dirFlags(t, probe); err != nil || f&fsTopdirFL == 0 {
		t.Skipf("the test directory's filesystem keeps no FS_TOPDIR_FL (%v)", err)
	}
	root := filepath.Join(t.TempDir(), "root")
	if _, err := Open(root); err != nil {
		t.Fatal(err)
	}
	for dir, want := range map[string]bool{"layers": true, "containers": true, "volumes": true, "tmp": true, "blobs": false, "locks": false, "": false} {
		f, err := dirFlags(t, filepath.Join(root, dir))
		if err != nil {
			t.Fatal(err)
		}
		if got := f&fsTopdirFL != 0; got != want {
			t.Errorf("%q: top of hierarchies %v, want %v", dir, got, want)
		}
	}
	// Unmarked by hand, it stays so: Open marks what it creates.
	fd, err := unix.Open(filepath.Join(root, "layers"), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	f, _ := unix.IoctlGetUint32(fd, unix.FS_IOC_GETFLAGS)
	if err := unix.IoctlSetPointerInt(fd, unix.FS_IOC_SETFLAGS, int(f&^fsTopdirFL)); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(root); err != nil {
		t.Fatal(err)
	}
	if f, _ := dirFlags(t, filepath.Join(root, "layers")); f&fsTopdirFL != 0 {
		t.Error("Open changed an existing store's layers/")
	}
}
