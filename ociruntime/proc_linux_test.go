package ociruntime

import (
	"errors"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// TestSignalRecycledPid: a record's pid can be another process by now
// (the container's init died and the pid was given again). Signals go
// only to the process with the recorded start time, through a pidfd
// opened before the check; the test stands for the recycled pid with its
// own process and signal 0.
func TestSignalRecycledPid(t *testing.T) {
	_, start, err := procStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	same := &record{Pid: os.Getpid(), StartTime: start}
	if !same.alive() {
		t.Fatal("own process not alive")
	}
	if err := same.signal(0); err != nil {
		t.Fatalf("signal own process: %v", err)
	}
	recycled := &record{Pid: os.Getpid(), StartTime: start + 1}
	if recycled.alive() {
		t.Error("a process with another start time counts as the container's init")
	}
	if err := recycled.signal(unix.Signal(0)); !errors.Is(err, ErrNotRunning) {
		t.Errorf("signal to a recycled pid: %v, want %v", err, ErrNotRunning)
	}
}

func TestParseStat(t *testing.T) {
	// The command name is the only free-form field: counted from the
	// last ')', a name like "a) S 1 (" cannot shift the fields.
	line := "42 (a) S 1 () R 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10 18446744073709551615\n"
	st, start, err := parseStat([]byte(line), 42)
	if err != nil || st != 'R' || start != 987654 {
		t.Fatalf("parseStat = %q, %d, %v; want 'R', 987654", st, start, err)
	}
	if _, _, err := parseStat([]byte("42 (x) R 1"), 42); err == nil {
		t.Error("parseStat of a short line succeeded")
	}
}
