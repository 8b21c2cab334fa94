package run

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"pocket/internal/testlimit"
)

// state.json is replaced whole or not at all: `ps`, `inspect` and `rm`
// read it while the monitor rewrites it, and a write that fails midway
// (a full disk, a killed monitor) must leave the previous state readable,
// or the container can be neither listed nor removed.
func TestWriteStateIsAtomic(t *testing.T) {
	dir := t.TempDir()
	c := &container{dir: dir, state: State{Status: statusRunning, Pid: 42, MonitorPid: 41,
		StartedAt: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}}
	if err := c.writeState(); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		t.Fatal(err)
	}
	want := c.state
	c.state = State{Status: statusExited, ExitCode: 3, Error: "a long reason that does not fit", FinishedAt: time.Now().UTC()}
	// Far less than the state: the new one cannot be written whole.
	testlimit.FileSize(t, 32, func() { err = c.writeState() })
	if !errors.Is(err, unix.EFBIG) {
		t.Fatalf("writeState with the disk full = %v, want EFBIG", err)
	}
	after, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil || !bytes.Equal(before, after) {
		t.Errorf("state.json after a failed write (%v):\n%s\nwant:\n%s", err, after, before)
	}
	var got State
	if err := readJSON(dir, stateFile, &got); err != nil {
		t.Fatalf("read state after a failed write: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("state (-want +got):\n%s", diff)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("files after a failed write: %v, want only %s", entries, stateFile)
	}
}
