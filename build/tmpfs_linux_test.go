package build

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSweepSessionDirs: a killed build's session directory (its
// secrets) is removed; a live one's and other names stay.
func TestSweepSessionDirs(t *testing.T) {
	d := t.TempDir()
	// pid 2^22+1 is above Linux's pid_max limit: never a live process.
	dead := filepath.Join(d, "pocket-build-4194305-123")
	live := filepath.Join(d, "pocket-build-"+itoa(os.Getpid())+"-456")
	other := filepath.Join(d, "someone-else")
	for _, p := range []string{dead, live, other} {
		os.Mkdir(p, 0o700)
		os.WriteFile(filepath.Join(p, "secret"), []byte("x"), 0o400)
	}
	sweepSessionDirs(d)
	for p, want := range map[string]bool{dead: false, live: true, other: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", p, err == nil, want)
		}
	}
}
