//go:build linux

package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"pocket/internal/testimages"
)

// TestLoadMultiarchRun loads a multi-platform OCI layout offline and runs
// what it resolves to, with a named volume and a memory limit: on the CI
// host that is linux/amd64, and `make test-vm-arm64` runs the same test
// binary, built for arm64, on an arm64 kernel, where it must be
// linux/arm64.
func TestLoadMultiarchRun(t *testing.T) {
	root := newRoot(t)
	idx, err := testimages.Index()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "layout")
	if err := testimages.WriteOCILayoutIndex(dir, idx, "multi:v1"); err != nil {
		t.Fatal(err)
	}
	if r := mustPocket(t, root, "load", "-i", dir); !strings.Contains(r.Stdout, "Loaded image: multi:v1") {
		t.Errorf("load: want \"Loaded image: multi:v1\":\n%s", r)
	}
	want := testimages.PlatformString(testimages.Host())
	if got := inspectImage(t, root, "multi:v1"); got["Os"] != "linux" || got["Architecture"] != testimages.Host().Architecture {
		t.Errorf("inspect: %v/%v, want %s", got["Os"], got["Architecture"], want)
	}
	run := func(script string) string {
		return mustPocket(t, root, "run", "--rm", "--network", "none", "-m", "32m", "-v", "data:/data",
			"multi:v1", "sh", "-c", script).Stdout
	}
	run("cat /platform > /data/platform")
	if got := run("cat /data/platform"); got != want+"\n" {
		t.Errorf("/platform, through the volume: %q, want %q", got, want+"\n")
	}
	if got := strings.TrimSpace(run("cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null; true")); got != "33554432" {
		t.Errorf("memory limit inside: %q, want 33554432", got)
	}
}
