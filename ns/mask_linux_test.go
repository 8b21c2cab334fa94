package ns

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// kernelCheck prints, in a container: the type of /proc, what writing
// core_pattern back says, every procfs mounted outside /proc, then every
// mount point.
const kernelCheck = `stat -f -c %T /proc
v=$(cat /proc/sys/kernel/core_pattern)
{ echo "$v" >/proc/sys/kernel/core_pattern; } 2>&1 | sed 's/.*: //'
sed -n 's/^[^ ]* [^ ]* [^ ]* [^ ]* \([^ ]*\) .* - proc .*/stray procfs at \1/p' /proc/self/mountinfo | grep -v ' at /proc\(/.*\)*$'
echo ---
cut -d' ' -f5 /proc/self/mountinfo`

// checkMasked asserts the output of kernelCheck: /proc is procfs,
// core_pattern is read-only, no procfs anywhere else, and every masked or
// read-only path the host kernel has is a mount point.
func checkMasked(t *testing.T, got result) {
	t.Helper()
	head, mounts, ok := strings.Cut(got.Stdout, "---\n")
	if got.Err != nil || got.Code != 0 || !ok {
		t.Fatalf("run: %+v", got)
	}
	if diff := cmp.Diff("proc\nRead-only file system\n", head); diff != "" {
		t.Errorf("/proc type, core_pattern write, stray procfs (-want +got):\n%s", diff)
	}
	points := strings.Fields(mounts)
	for _, p := range append(slices.Clone(maskedPaths), readonlyPaths...) {
		if _, err := os.Stat(p); err != nil {
			continue // this kernel has none
		}
		if !slices.Contains(points, p) {
			t.Errorf("%s is not masked (mount points: %v)", p, points)
		}
	}
}

// TestMaskHostileImages: whatever an image makes of /proc, /sys and /dev,
// the container's /proc is the one procfs, masked, with /proc/sys
// read-only (CVE-2019-16884; issue 10: /proc -> /dev/x/../../tmp/p left
// a writable procfs at /tmp/p and nothing masked).
func TestMaskHostileImages(t *testing.T) {
	tests := []struct {
		name  string
		links map[string]string // symlinks of the image's top layer
		dirs  []string
		files []string
	}{
		{name: "proc to a directory", links: map[string]string{"proc": "/tmp/p"}, dirs: []string{"tmp/p"}},
		{name: "proc through dev", links: map[string]string{"proc": "/dev/x/../../tmp/p"}, dirs: []string{"dev/x", "tmp/p"}},
		{name: "proc through sys", links: map[string]string{"proc": "/sys/kernel/../../tmp/p"}, dirs: []string{"sys/kernel", "tmp/p"}},
		{name: "proc to sys", links: map[string]string{"proc": "/sys"}},
		{name: "sys to proc/sys", links: map[string]string{"sys": "/proc/sys"}},
		{name: "sys to proc", links: map[string]string{"sys": "../proc"}},
		{name: "dev to tmp", links: map[string]string{"dev": "/tmp/d"}, dirs: []string{"tmp/d"}},
		{name: "proc dangling", links: map[string]string{"proc": "/nowhere"}},
		{name: "proc is a file", files: []string{"proc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := newConfig(t, "sh", "-c", kernelCheck)
			evil := t.TempDir()
			for _, d := range tt.dirs {
				if err := os.MkdirAll(filepath.Join(evil, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for _, f := range tt.files {
				if err := os.WriteFile(filepath.Join(evil, f), nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for link, target := range tt.links {
				if err := os.Symlink(target, filepath.Join(evil, link)); err != nil {
					t.Fatal(err)
				}
			}
			cfg.Rootfs.Lower = append([]string{evil}, cfg.Rootfs.Lower...)
			checkMasked(t, run(t, cfg))
		})
	}
}

// TestMaskAfterUserMounts: the masks go on after -v and --tmpfs, over the
// same verified procfs and sysfs, and a mount that replaces /proc, or
// lands inside it other than where lxcfs does, is refused as runc refuses
// it (checkProcMount), also when a symlink of the image leads there.
func TestMaskAfterUserMounts(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cpuinfo")
	if err := os.WriteFile(file, []byte("fake cpuinfo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tests := []struct {
		name    string
		mounts  []Mount
		files   []File
		links   map[string]string
		wantErr string // the one line the user sees
	}{
		{name: "tmpfs on /tmp and a bind of the host's /sys", mounts: []Mount{
			{Type: "tmpfs", Target: "/tmp"}, {Type: "bind", Source: "/sys", Target: "/sys", Readonly: true},
		}},
		{name: "lxcfs-style file over /proc/cpuinfo", mounts: []Mount{{Type: "bind", Source: file, Target: "/proc/cpuinfo"}}},
		{name: "tmpfs over /proc", mounts: []Mount{{Type: "tmpfs", Target: "/proc"}},
			wantErr: "mount tmpfs on /proc: /proc cannot be mounted because it is not of type proc"},
		{name: "directory over /proc", mounts: []Mount{{Type: "bind", Source: dir, Target: "/proc"}},
			wantErr: "mount bind on /proc: /proc cannot be mounted because it is not of type proc"},
		{name: "tmpfs over /proc/sys", mounts: []Mount{{Type: "tmpfs", Target: "/proc/sys"}},
			wantErr: "mount tmpfs on /proc/sys: /proc/sys cannot be mounted because it is inside /proc" + lxcfsHint},
		{name: "through an image symlink", links: map[string]string{"data": "/proc/sys/kernel"},
			mounts:  []Mount{{Type: "bind", Source: dir, Target: "/data"}},
			wantErr: "mount bind on /data: /proc/sys/kernel cannot be mounted because it is inside /proc" + lxcfsHint},
		{name: "/etc/hosts through an image symlink", links: map[string]string{"etc/hosts": "/proc/sys/kernel/core_pattern"},
			files:   []File{{Source: file, Target: "/etc/hosts"}},
			wantErr: "mount bind on /etc/hosts: /proc/sys/kernel/core_pattern cannot be mounted because it is inside /proc" + lxcfsHint},
		// CVE-2025-31133: masking binds /dev/null over files; it must be
		// the null device, not what a mount put at that name.
		{name: "file over /dev/null", mounts: []Mount{{Type: "bind", Source: file, Target: "/dev/null"}},
			wantErr: "mask paths: unsafe path: /dev/null is not the null device (char 1:3)"},
		{name: "tmpfs over /sys", mounts: []Mount{{Type: "tmpfs", Target: "/sys"}},
			wantErr: "mask paths: unsafe path: /sys is not a sysfs (filesystem magic 0x1021994)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := newConfig(t, "sh", "-c", kernelCheck)
			cfg.Mounts, cfg.Files = tt.mounts, tt.files
			if len(tt.links) > 0 {
				evil := t.TempDir()
				for link, target := range tt.links {
					os.MkdirAll(filepath.Dir(filepath.Join(evil, link)), 0o755)
					if err := os.Symlink(target, filepath.Join(evil, link)); err != nil {
						t.Fatal(err)
					}
				}
				cfg.Rootfs.Lower = append([]string{evil}, cfg.Rootfs.Lower...)
			}
			got := run(t, cfg)
			if tt.wantErr == "" {
				checkMasked(t, got)
				return
			}
			if got.Err == nil || got.Code != codeSetup || got.Err.Message != tt.wantErr {
				t.Errorf("run = %+v, want exit 125 with %q", got, tt.wantErr)
			}
		})
	}
}

const lxcfsHint = " (hint: only the files lxcfs provides, such as /proc/cpuinfo, may be)"

// TestMaskedPathsAreDockers: the lists are Docker's (moby
// daemon/pkg/oci/defaults.go), written out here: a path dropped from
// maskedPaths fails this test even on a kernel that lacks it, where the
// end-to-end test cannot see the difference.
func TestMaskedPathsAreDockers(t *testing.T) {
	docker := []string{
		"/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore",
		"/proc/keys", "/proc/latency_stats", "/proc/sched_debug", "/proc/scsi",
		"/proc/timer_list", "/proc/timer_stats",
		"/sys/devices/virtual/powercap", "/sys/firmware",
	}
	dockerRO := []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}
	sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
	if diff := cmp.Diff(sorted(docker), sorted(maskedPaths)); diff != "" {
		t.Errorf("maskedPaths (-docker +pocket):\n%s", diff)
	}
	if diff := cmp.Diff(sorted(dockerRO), sorted(readonlyPaths)); diff != "" {
		t.Errorf("readonlyPaths (-docker +pocket):\n%s", diff)
	}
}

func TestCPUDir(t *testing.T) {
	for name, want := range map[string]bool{
		"cpu0": true, "cpu17": true, "cpu": false, "cpufreq": false, "cpuidle": false, "cpu1a": false, "xcpu1": false, "": false,
	} {
		if got := cpuDir(name); got != want {
			t.Errorf("cpuDir(%q) = %v, want %v", name, got, want)
		}
	}
}
