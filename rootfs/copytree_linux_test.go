package rootfs

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestCopyTreeSwapRace is the volume copy-up race: another container that
// shares the volume swaps a directory for a symlink to a host directory
// while pocket, as host root, fills the volume. Copying by path, pocket
// wrote the rest of the tree (set-id files included) into the host
// directory; copying by descriptor it stays in the volume.
func TestCopyTreeSwapRace(t *testing.T) {
	src := t.TempDir()
	if err := os.Mkdir(filepath.Join(src, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		p := filepath.Join(src, "d", fmt.Sprintf("f%03d", i))
		if err := os.WriteFile(p, []byte("image"), 0o644); err != nil {
			t.Fatal(err)
		}
		if i%50 == 0 {
			if err := os.Chmod(p, 0o4755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("f000", p+".link"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.Mkdir(filepath.Join(src, "d", "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(filepath.Join(src, "d", "f001"), filepath.Join(src, "d", "sub", "hard")); err != nil {
		t.Fatal(err)
	}
	for _, fallback := range []bool{false, true} {
		name := "openat2"
		if fallback {
			name = "openat per component (Linux < 5.6)"
		}
		t.Run(name, func(t *testing.T) {
			noOpenat2.Store(fallback)
			defer noOpenat2.Store(false)
			copySwapRace(t, src)
		})
	}
}

func copySwapRace(t *testing.T, src string) {
	host := t.TempDir() // stands for /etc on the host
	swapped := 0
	for round := range 20 {
		vol := t.TempDir()
		done := make(chan bool)
		go func() {
			d := filepath.Join(vol, "d")
			for {
				select {
				case <-done:
					done <- false
					return
				default:
				}
				if fi, err := os.Lstat(d); err != nil || !fi.IsDir() {
					continue
				}
				if os.Rename(d, filepath.Join(vol, "moved")) == nil && os.Symlink(host, d) == nil {
					<-done
					done <- true
					return
				}
			}
		}()
		err := copyTree(src, vol)
		done <- true
		if <-done {
			swapped++
		}
		t.Logf("round %d: %v", round, err)
		entries, err := os.ReadDir(host)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) > 0 {
			t.Fatalf("round %d: the copy wrote %d entries into the host directory behind the symlink, %s first", round, len(entries), entries[0].Name())
		}
	}
	if swapped == 0 {
		t.Fatal("the directory was never swapped during a copy")
	}
}
