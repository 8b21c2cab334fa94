package store

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// flockWaiting reports whether /proc/locks shows a flock request blocked on
// path, and whether it asks for the lock exclusively (WRITE) or shared
// (READ). The kernel lists a blocked request as "N: -> FLOCK ADVISORY
// WRITE pid maj:min:inode ...".
func flockWaiting(t *testing.T, path string) (waiting bool, mode string) {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	file := fmt.Sprintf("%02x:%02x:%d", unix.Major(uint64(st.Dev)), unix.Minor(uint64(st.Dev)), st.Ino)
	f, err := os.Open("/proc/locks")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// "1:", "->", "FLOCK", "ADVISORY", "WRITE", pid, file, start, end
		fs := strings.Fields(sc.Text())
		if len(fs) >= 7 && fs[1] == "->" && fs[2] == "FLOCK" && fs[6] == file {
			return true, fs[4]
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return false, ""
}

// waitQueued waits until fn, running, either returns (on done) or is
// queued on the flock of path, and fails the test unless it is queued for
// the lock exclusively. The answer comes from the kernel's lock table, not
// from how long fn took: a GC that took the lock shared would not be
// queued behind a Hold at all, and returns.
func waitQueued(t *testing.T, path string, done <-chan error) {
	t.Helper()
	deadline := time.Now().Add(time.Minute) // only for a hung test; never the proof
	for {
		select {
		case err := <-done:
			t.Fatalf("finished (err %v) while a Hold was held: the gc lock is not exclusive", err)
		default:
		}
		if waiting, mode := flockWaiting(t, path); waiting {
			if mode != "WRITE" {
				t.Fatalf("queued on the gc lock for %s, want WRITE (exclusive)", mode)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("neither finished nor queued on the gc lock after a minute")
		}
		time.Sleep(time.Millisecond)
	}
}

// A pull or a container creation holds Hold (the gc lock, shared) from
// putting its layers or volumes until its record protects them; every
// collection takes the gc lock exclusively and so waits for it, or it
// deletes a layer that is about to be referenced.
func TestHoldBlocksGC(t *testing.T) {
	for _, tc := range []struct {
		name string
		gc   func(s *Store) error
	}{
		{"RemoveImage", func(s *Store) error { _, _, err := s.RemoveImage("old", false); return err }},
		{"PruneImages", func(s *Store) error { _, _, err := s.PruneImages(false, nil); return err }},
		{"RemoveVolume", func(s *Store) error { return s.RemoveVolume("vol", false) }},
		{"PruneVolumes", func(s *Store) error { _, _, err := s.PruneVolumes(true, nil); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			addImage(t, s, "old", 0, "old-layer")
			if _, err := s.CreateVolume("vol", false); err != nil {
				t.Fatal(err)
			}
			release, err := s.Hold()
			if err != nil {
				t.Fatal(err)
			}
			defer release()
			done := make(chan error, 1)
			other := reopen(t, s) // as another pocket process
			go func() { done <- tc.gc(other) }()
			waitQueued(t, s.path("locks", "gc"), done)

			// The "pull", while the collection waits: a fresh layer that no
			// image lists yet, then its image.
			fresh := putLayer(t, s, "fresh")
			if _, err := s.AddImage(nil, configFor(t, t0, fresh), mustRef(t, "new")); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-done:
				t.Fatalf("finished (err %v) while a Hold was held", err)
			default:
			}
			release()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if !s.HasLayer(fresh) {
				t.Error("the pulled layer was collected")
			}
			if held, err := LockHeld(s.Root(), "gc"); err != nil || held {
				t.Errorf("gc lock held after the collection: %v, %v", held, err)
			}
		})
	}
}
