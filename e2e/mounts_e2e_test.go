//go:build linux

package e2e

// End-to-end tests of the kernel filesystems a container gets: /proc is
// one procfs with Docker's masks, whatever the image makes of /proc, /sys
// and /dev (issue 10: an image's /proc symlink left an unmasked, writable
// procfs whose core_pattern runs a program as host root).

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"pocket/internal/testimages"
)

// Docker's default masked and read-only paths (moby
// daemon/pkg/oci/defaults.go, defaultLinuxMaskedPaths and ReadonlyPaths),
// written out here so that the test checks pocket against Docker and not
// against itself.
var (
	dockerMaskedPaths = []string{
		"/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore",
		"/proc/keys", "/proc/latency_stats", "/proc/sched_debug", "/proc/scsi",
		"/proc/timer_list", "/proc/timer_stats",
		"/sys/devices/virtual/powercap", "/sys/firmware",
	}
	dockerReadonlyPaths = []string{
		"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
	}
)

// dockerMasked is dockerMaskedPaths plus, as Docker adds them, the
// thermal_throttle directory of each CPU that has one (GHSA-6fw5-f8r9-fgfm).
func dockerMasked(t *testing.T) []string {
	t.Helper()
	thermal, err := filepath.Glob("/sys/devices/system/cpu/cpu[0-9]*/thermal_throttle")
	if err != nil {
		t.Fatal(err)
	}
	return append(slices.Clone(dockerMaskedPaths), thermal...)
}

// kernelScript prints, inside the container: what each masked path holds
// ("dir N" entries, "file N" bytes, "absent"), what writing core_pattern
// back says, and the container's mountinfo after a "---" line.
func kernelScript(masked []string) string {
	return `for p in ` + strings.Join(masked, " ") + `; do
	if [ -d $p ]; then echo "$p dir $(ls -A $p | wc -l)"
	elif [ -e $p ]; then echo "$p file $(head -c 100 $p | wc -c)"
	else echo "$p absent"; fi
done
v=$(cat /proc/sys/kernel/core_pattern)
{ echo "$v" >/proc/sys/kernel/core_pattern && echo "core_pattern written"; } 2>&1 | sed 's/.*: //'
echo ---
cat /proc/self/mountinfo`
}

// checkKernelFS runs kernelScript in image (with extra run flags) and
// asserts Docker's view: every masked path the host kernel has is masked
// (an empty read-only tmpfs over a directory, /dev/null over a file), every
// read-only path is a read-only procfs mount, procfs is mounted nowhere
// but /proc, core_pattern cannot be written and the host's is unchanged.
func checkKernelFS(t *testing.T, root, image string, flags ...string) {
	t.Helper()
	hostPattern, err := os.ReadFile("/proc/sys/kernel/core_pattern")
	if err != nil {
		t.Fatal(err)
	}
	masked := dockerMasked(t)
	args := append(append(append([]string{"run", "--rm"}, flags...), image, "sh", "-c"), kernelScript(masked))
	r := pocket(t, root, args...)
	if r.Code != 0 {
		t.Fatalf("%s", r)
	}
	out, info, _ := strings.Cut(r.Stdout, "---\n")
	mounts := parseMountinfo(t, info)
	at := func(p string) *mountinfoEntry {
		var last *mountinfoEntry
		for i := range mounts {
			if mounts[i].point == p {
				last = &mounts[i] // the topmost mount there
			}
		}
		return last
	}

	var want []string
	for _, p := range masked {
		fi, err := os.Stat(p)
		switch {
		case err != nil:
			want = append(want, p+" absent")
			continue
		case fi.IsDir():
			want = append(want, p+" dir 0")
			if m := at(p); m == nil || m.fstype != "tmpfs" || !strings.HasPrefix(m.opts, "ro") {
				t.Errorf("%s: mount %+v, want a read-only tmpfs", p, m)
			}
		default:
			want = append(want, p+" file 0")
			if m := at(p); m == nil || m.root != "/null" {
				t.Errorf("%s: mount %+v, want /dev/null bound over it", p, m)
			}
		}
	}
	want = append(want, "Read-only file system")
	if diff := cmpLines(want, lines(out)); diff != "" {
		t.Errorf("masked paths and core_pattern write (-want +got):\n%s", diff)
	}
	for _, p := range dockerReadonlyPaths {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		if m := at(p); m == nil || m.fstype != "proc" || !strings.HasPrefix(m.opts, "ro") {
			t.Errorf("%s: mount %+v, want a read-only procfs", p, m)
		}
	}
	if m := at("/proc"); m == nil || m.fstype != "proc" || m.root != "/" {
		t.Errorf("/proc: mount %+v, want the root of a procfs", m)
	}
	for _, m := range mounts {
		if m.fstype == "proc" && m.point != "/proc" && !strings.HasPrefix(m.point, "/proc/") {
			t.Errorf("a procfs is mounted at %s, outside /proc", m.point)
		}
		if m.fstype == "sysfs" && m.point != "/sys" {
			t.Errorf("a sysfs is mounted at %s, not /sys", m.point)
		}
	}
	if now, _ := os.ReadFile("/proc/sys/kernel/core_pattern"); string(now) != string(hostPattern) {
		t.Errorf("the host's core_pattern changed: %q, was %q", now, hostPattern)
	}
}

func cmpLines(want, got []string) string {
	if slices.Equal(want, got) {
		return ""
	}
	return "- " + strings.Join(want, "\n- ") + "\n+ " + strings.Join(got, "\n+ ")
}

// TestMaskedPathsDocker: a plain busybox container masks every path of
// Docker's list this kernel has and makes Docker's read-only paths
// read-only.
func TestMaskedPathsDocker(t *testing.T) {
	root := newRoot(t)
	checkKernelFS(t, root, "busybox")
	// The host's /sys bound in, as monitoring containers do (-v /sys:/sys:ro):
	// still sysfs, still masked.
	checkKernelFS(t, root, "busybox", "-v", "/sys:/sys:ro")
}

// TestMountsHostileImages: images whose /proc, /sys, /dev (or what pocket
// mounts under them) are symlinks or files get a real /proc, masked, with
// /proc/sys read-only (CVE-2019-16884, CVE-2019-19921; issue 10).
func TestMountsHostileImages(t *testing.T) {
	tmp := []testimages.Entry{testimages.Dir("tmp", 0o1777), testimages.Dir("tmp/p", 0o755)}
	tests := []struct {
		name    string
		entries []testimages.Entry
	}{
		{"proc-to-tmp", append(tmp, testimages.Symlink("proc", "/tmp/p"))},
		{"proc-to-dev", []testimages.Entry{testimages.Symlink("proc", "/dev/x")}},
		// Resolved at mount time through the image's /dev/x, dangling once
		// /dev is pocket's tmpfs: procfs stayed at /tmp/p, unmasked.
		{"proc-through-dev", append(tmp, testimages.Dir("dev/x", 0o755), testimages.Symlink("proc", "/dev/x/../../tmp/p"))},
		{"proc-through-sys", append(tmp, testimages.Dir("sys/kernel", 0o755), testimages.Symlink("proc", "/sys/kernel/../../tmp/p"))},
		{"proc-to-host", []testimages.Entry{testimages.Symlink("proc", testimages.HostileProcTarget)}},
		{"proc-is-a-file", []testimages.Entry{testimages.File("proc", "not a directory\n", 0o644)}},
		{"sys-to-proc-sys", []testimages.Entry{testimages.Symlink("sys", "/proc/sys")}},
		{"sys-to-proc", []testimages.Entry{testimages.Symlink("sys", "../proc")}},
		{"dev-to-tmp", append(tmp, testimages.Symlink("dev", "/tmp/p"))},
		// Under /dev and /sys the image's entries are hidden by pocket's
		// own tmpfs and sysfs; they must stay harmless.
		{"dev-entries", []testimages.Entry{
			testimages.Symlink("dev/shm", "/proc"), testimages.Symlink("dev/mqueue", "/proc/sys"),
			testimages.Symlink("dev/pts", "/proc/sys/kernel"), testimages.Symlink("dev/null", "/proc/sys/kernel/core_pattern"),
		}},
		{"cgroup-to-proc", []testimages.Entry{testimages.Dir("sys/fs", 0o755), testimages.Symlink("sys/fs/cgroup", "/proc/sys")}},
	}
	root := newRoot(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := "mounts-" + tt.name
			pushImage(t, name, nil, tt.entries...)
			checkKernelFS(t, root, name)
			if _, err := os.Lstat(testimages.HostileProcTarget); err == nil {
				t.Errorf("%s exists on the host", testimages.HostileProcTarget)
			}
		})
	}
}

// TestMountsOnProcRefused: -v, --mount and --tmpfs may not replace /proc
// or cover what is inside it, except the files lxcfs provides, as with
// Docker (runc's checkProcMount); the start fails with exit 125 and one
// line. Mounts under /sys are allowed, as with Docker.
func TestMountsOnProcRefused(t *testing.T) {
	root := newRoot(t)
	host := t.TempDir()
	file := filepath.Join(host, "cpuinfo")
	if err := os.WriteFile(file, []byte("fake cpuinfo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pushImage(t, "mounts-data-to-proc", nil, testimages.Symlink("data", "/proc/sys"))
	for _, tc := range []struct {
		name   string
		args   []string
		image  string
		script string
		want   string // stderr, or the stdout of a run that must work
		code   int
	}{
		{"bind over /proc", []string{"-v", host + ":/proc"}, "busybox", "true",
			"mount bind on /proc: /proc cannot be mounted because it is not of type proc\n", 125},
		{"tmpfs over /proc", []string{"--tmpfs", "/proc"}, "busybox", "true",
			"mount tmpfs on /proc: /proc cannot be mounted because it is not of type proc\n", 125},
		{"tmpfs inside /proc", []string{"--mount", "type=tmpfs,target=/proc/sys"}, "busybox", "true",
			"mount tmpfs on /proc/sys: /proc/sys cannot be mounted because it is inside /proc (hint: only the files lxcfs provides, such as /proc/cpuinfo, may be)\n", 125},
		{"through an image symlink", []string{"-v", host + ":/data"}, "mounts-data-to-proc", "true",
			"mount bind on /data: /proc/sys cannot be mounted because it is inside /proc (hint: only the files lxcfs provides, such as /proc/cpuinfo, may be)\n", 125},
		{"lxcfs file", []string{"-v", file + ":/proc/cpuinfo:ro"}, "busybox", "cat /proc/cpuinfo", "fake cpuinfo\n", 0},
		{"under /sys", []string{"--tmpfs", "/sys/kernel/mm"}, "busybox", "grep -c ' /sys/kernel/mm ' /proc/self/mountinfo", "1\n", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{"run", "--rm"}, tc.args...), tc.image, "sh", "-c", tc.script)
			r := pocket(t, root, args...)
			got := r.Stdout
			if tc.code != 0 {
				// The last line: a first run also reports its pull.
				got = ""
				if ls := lines(r.Stderr); len(ls) > 0 {
					got = strings.TrimPrefix(ls[len(ls)-1], "pocket: ") + "\n"
				}
				if strings.Count(r.Stderr, "pocket: ") != 1 {
					t.Errorf("want one error line:\n%s", r.Stderr)
				}
			}
			if r.Code != tc.code || got != tc.want {
				t.Errorf("%s\nwant exit %d and %q", r, tc.code, tc.want)
			}
		})
	}
}
