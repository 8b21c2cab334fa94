package main

// End-to-end tests of issue 10's item 8 and its smaller things.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pocket/testdata/images"
)

// waitFor polls cond until it holds, failing the test after a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestVolumeInUseNotRefilled: a volume is filled with the image's content
// only while no running container uses it. Filling one in use raced with
// that container, which could swap a directory for a symlink mid-copy and
// have pocket, as host root, write the image's files into the host.
func TestVolumeInUseNotRefilled(t *testing.T) {
	img := pushBusyboxVariant(t, "seeded", nil, images.Dir("seed", 0o755), images.File("seed/f", "image\n", 0o644))
	root := newRoot(t)
	mustPocket(t, root, "run", "-d", "--name", "user", "-v", "shared:/seed", img, "sh", "-c", "rm /seed/f && exec sleep 1000")
	data := volumeData(root, "shared")
	waitFor(t, "the running container to empty its volume", func() bool {
		entries, err := os.ReadDir(data)
		return err == nil && len(entries) == 0
	})
	if r := mustPocket(t, root, "run", "--rm", "-v", "shared:/seed", img, "ls", "-A", "/seed"); r.Stdout != "" {
		t.Errorf("a volume in use by a running container was filled again: ls shows %q", r.Stdout)
	}
	mustPocket(t, root, "rm", "-f", "user")
	if r := mustPocket(t, root, "run", "--rm", "-v", "shared:/seed", img, "ls", "-A", "/seed"); r.Stdout != "f\n" {
		t.Errorf("an empty volume no container uses was not filled: ls shows %q, want %q", r.Stdout, "f\n")
	}
	if _, err := os.Stat(filepath.Join(data, "f")); err != nil {
		t.Error(err)
	}
	_ = strings.TrimSpace
}
