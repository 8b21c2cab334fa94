//go:build linux

package e2e

// End-to-end tests of what a container is promised and what only the real
// binary, as root, can show: that a parsed flag reaches the init, the
// kernel or the cgroup, and that nothing of the host stays visible.

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"

	"pocket/cgroup"
)

// procStatus reads fields of /proc/self/status as the container's command
// sees them, e.g. "CapEff" or "NoNewPrivs".
func procStatus(t *testing.T, root string, args ...string) map[string]string {
	t.Helper()
	all := append(append([]string{"run", "--rm"}, args...), "cat", "/proc/self/status")
	return statusFields(t, mustPocket(t, root, all...).Stdout)
}

func statusFields(t *testing.T, status string) map[string]string {
	t.Helper()
	out := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(status))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok {
			out[k] = strings.TrimSpace(v)
		}
	}
	return out
}

// --security-opt no-new-privileges must reach the init's prctl: a flag
// that is parsed and then dropped leaves setuid binaries working.
func TestContractNoNewPrivileges(t *testing.T) {
	root := newRoot(t)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"default", []string{"busybox"}, "0"},
		{"no-new-privileges", []string{"--security-opt", "no-new-privileges", "busybox"}, "1"},
		{"no-new-privileges:true", []string{"--security-opt", "no-new-privileges:true", "busybox"}, "1"},
		{"no-new-privileges=false", []string{"--security-opt", "no-new-privileges=false", "busybox"}, "0"},
		{"as a user", []string{"--security-opt", "no-new-privileges", "-u", "1000", "busybox"}, "1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := procStatus(t, root, tc.args...)["NoNewPrivs"]; got != tc.want {
				t.Errorf("NoNewPrivs: %q, want %q", got, tc.want)
			}
		})
	}
}

// Docker's default capability set (oci/caps/defaults.go): CHOWN,
// DAC_OVERRIDE, FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP,
// NET_BIND_SERVICE, NET_RAW, SYS_CHROOT, MKNOD, AUDIT_WRITE, SETFCAP.
const defaultCapMask = "00000000a80425fb"

func TestContractCapabilities(t *testing.T) {
	// --privileged keeps every capability the host has: the tests' own
	// bounding set (they run as root), which need not be every capability
	// the kernel knows (here, in a container, it may lack some).
	self, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	all := statusFields(t, string(self))["CapBnd"]
	root := newRoot(t)
	for _, tc := range []struct {
		name          string
		args          []string
		eff, bnd, prm string
	}{
		{"default", nil, defaultCapMask, defaultCapMask, defaultCapMask},
		// CAP_NET_ADMIN is bit 12.
		{"cap-add NET_ADMIN", []string{"--cap-add", "NET_ADMIN"}, "00000000a80435fb", "00000000a80435fb", "00000000a80435fb"},
		// CAP_CHOWN is bit 0.
		{"cap-drop CHOWN", []string{"--cap-drop", "CHOWN"}, "00000000a80425fa", "00000000a80425fa", "00000000a80425fa"},
		{"cap-drop ALL", []string{"--cap-drop", "ALL"}, "0000000000000000", "0000000000000000", "0000000000000000"},
		{"cap-drop ALL cap-add KILL", []string{"--cap-drop", "ALL", "--cap-add", "KILL"}, "0000000000000020", "0000000000000020", "0000000000000020"},
		{"privileged", []string{"--privileged"}, all, all, all},
		{"cap-add ALL", []string{"--cap-add", "ALL"}, all, all, all},
		// A non-root user has no capabilities after exec, but its bounding
		// set is still the container's: a setuid binary gets no more.
		{"user 1000", []string{"-u", "1000"}, "0000000000000000", defaultCapMask, "0000000000000000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := procStatus(t, root, append(tc.args, "busybox")...)
			want := map[string]string{"CapEff": tc.eff, "CapBnd": tc.bnd, "CapPrm": tc.prm,
				"CapInh": "0000000000000000", "CapAmb": "0000000000000000"}
			for k, w := range want {
				if st[k] != w {
					t.Errorf("%s: %s, want %s", k, st[k], w)
				}
			}
		})
	}
}

// cgroupFiles is the script that prints the container's own cpu, memory
// and pids limits from inside, where pocket mounts its cgroup (Docker's
// layout): v1 has one directory per controller, v2 one directory.
func cgroupFiles() string {
	if cgroup.Unified() {
		return "cat /sys/fs/cgroup/cpu.max /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max"
	}
	return "echo $(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us); " +
		"cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max"
}

// --cpus, -m and --pids-limit must reach the container's cgroup, on v1 and
// v2 alike: a flag that is parsed and then dropped is not a limit.
func TestContractCgroupLimits(t *testing.T) {
	root := newRoot(t)
	script := cgroupFiles()
	for _, tc := range []struct {
		name string
		args []string
		// what the script prints: cpu quota (-1 for none) and period,
		// memory, pids ("" where the test asks for no limit)
		quota, period int
		mem, pids     string
	}{
		{"cpus 0.5", []string{"--cpus", "0.5"}, 50000, 100000, "", ""},
		{"cpus 1.5", []string{"--cpus", "1.5"}, 150000, 100000, "", ""},
		{"memory and pids", []string{"-m", "32m", "--pids-limit", "20"}, -1, 100000, "33554432", "20"},
		{"all three", []string{"--cpus", "0.25", "-m", "64m", "--pids-limit", "50"}, 25000, 100000, "67108864", "50"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := mustPocket(t, root, append(append([]string{"run", "--rm"}, tc.args...), "busybox", "sh", "-c", script)...)
			got := lines(r.Stdout)
			if len(got) != 3 {
				t.Fatalf("want 3 lines (cpu, memory, pids):\n%s", r)
			}
			// v1 writes "quota period" on two files, v2 on one: cpu.max.
			wantCPU := fmt.Sprintf("%d %d", tc.quota, tc.period)
			if tc.quota < 0 && cgroup.Unified() {
				wantCPU = fmt.Sprintf("max %d", tc.period)
			}
			if got[0] != wantCPU {
				t.Errorf("cpu quota and period: %q, want %q", got[0], wantCPU)
			}
			// Limits not asked for are left as they are; only check ours.
			if tc.mem != "" && got[1] != tc.mem {
				t.Errorf("memory limit: %q, want %q", got[1], tc.mem)
			}
			if tc.pids != "" && got[2] != tc.pids {
				t.Errorf("pids limit: %q, want %q", got[2], tc.pids)
			}
		})
	}
}

// Docker's exit codes for a command that cannot run: 127 when it does not
// exist, whatever part of its path is missing (ENOENT, or ENOTDIR for a
// path through a file), 126 when it exists but cannot be executed.
func TestContractCommandNotFound(t *testing.T) {
	root := newRoot(t)
	for _, tc := range []struct {
		name string
		cmd  string
		code int
	}{
		{"path through a file", "/etc/passwd/x", 127},
		{"missing path", "/no/such/file", 127},
		{"missing in PATH", "nosuchcommand", 127},
		{"not executable", "/etc/passwd", 126},
		{"a directory", "/etc", 126},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := pocket(t, root, "run", "--rm", "busybox", tc.cmd)
			if r.Code != tc.code {
				t.Errorf("exit %d, want %d\n%s", r.Code, tc.code, r)
			}
			if !strings.Contains(r.Stderr, tc.cmd) {
				t.Errorf("stderr does not name %s:\n%s", tc.cmd, r)
			}
		})
	}
}

// After pivot_root the old root must be gone from the container's mount
// table: left mounted (even stacked under the new root), it keeps the
// host's whole tree — the store, every host mount — one umount or one
// open fd away from the container.
func TestContractNoHostMounts(t *testing.T) {
	root := newRoot(t)
	hostRoot := ""
	self, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range parseMountinfo(t, string(self)) {
		if m.point == "/" {
			hostRoot = m.dev // the last one is what / is
		}
	}
	// Only what pocket mounts for a container, in Docker's places.
	allowed := []string{"/proc", "/dev", "/sys", "/etc/hostname", "/etc/hosts", "/etc/resolv.conf"}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"default", nil},
		{"read-only", []string{"--read-only"}},
		{"privileged", []string{"--privileged"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := mustPocket(t, root, append(append([]string{"run", "--rm"}, tc.args...), "busybox", "cat", "/proc/self/mountinfo")...)
			mounts := parseMountinfo(t, r.Stdout)
			ids := map[string]bool{}
			for _, m := range mounts {
				ids[m.id] = true
			}
			var tops []mountinfoEntry
			for _, m := range mounts {
				if !ids[m.parent] {
					tops = append(tops, m)
				}
				switch {
				case m.point == "/":
					if m.fstype != "overlay" || m.dev == hostRoot {
						t.Errorf("/ is %s on %s (the host's / is on %s), want the image's overlay", m.fstype, m.dev, hostRoot)
					}
				case !underAny(m.point, allowed):
					t.Errorf("mount at %s (%s from %s): not one pocket makes", m.point, m.fstype, m.root)
				}
				if strings.Contains(m.point, root) {
					t.Errorf("mount at %s: a host path", m.point)
				}
			}
			if n := strings.Count(r.Stdout, " / / "); n != 1 || len(tops) != 1 || tops[0].point != "/" {
				t.Errorf("want one root mount, the parent of all others; got %d mounted at /, tops %v", n, tops)
			}
			if t.Failed() {
				t.Logf("mountinfo:\n%s", r.Stdout)
			}
		})
	}
}

// underAny reports whether p is one of dirs or below one.
func underAny(p string, dirs []string) bool {
	for _, d := range dirs {
		if p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}
