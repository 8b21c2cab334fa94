//go:build linux

package e2e

// run's I/O, CPU-set, memory, /dev/shm, sysctl and OOM flags, and
// `pocket update`, end to end. The cgroup tests (TestResourceCgroup*,
// TestUpdate*) also run on pure cgroup v2 in the VM (internal/cmd/vm).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"pocket/cgroup"
)

// TestResourceCgroupIO: --device-*-bps/iops on a loop device reach
// blkio.throttle.* (v1) or io.max (v2), and inspect shows them in Docker's
// shape; a write through the limit still works (no timing is asserted).
func TestResourceCgroupIO(t *testing.T) {
	root := newRoot(t)
	// A loop device (losetup on a file in a temporary directory).
	dev, min := loopDevice(t)
	num := fmt.Sprintf("7:%d", min)
	flags := []string{"run", "--rm", "--network", "none", "--device", dev,
		"--device-write-bps", dev + ":1mb", "--device-read-iops", dev + ":100"}
	var want map[string]string
	if cgroup.Unified() {
		want = map[string]string{"io.max": num + " rbps=max wbps=1048576 riops=100 wiops=max"}
	} else {
		want = map[string]string{
			"blkio/blkio.throttle.write_bps_device": num + " 1048576",
			"blkio/blkio.throttle.read_iops_device": num + " 100",
		}
	}
	checkCgroupFiles(t, want, func(files []string) result {
		return mustPocket(t, root, append(append(flags, "busybox", "cat"), files...)...)
	})
	// 256 KiB through a 1 MB/s limit: a quarter of a second, not timed.
	r := mustPocket(t, root, append(flags, "busybox", "dd", "if=/dev/zero", "of="+dev, "bs=64k", "count=4", "conv=fsync")...)
	if !strings.Contains(r.Stderr, "4+0 records out") {
		t.Errorf("dd through the limit:\n%s", r)
	}

	id := strings.TrimSpace(mustPocket(t, root, "run", "-d", "--network", "none",
		"--device-write-bps", dev+":1mb", "--device-read-bps", dev+":2mb", "--device-write-iops", dev+":30",
		"busybox", "sleep", "1000").Stdout)
	defer pocket(t, root, "rm", "-f", id)
	hc := inspectHostConfig(t, root, id)
	for key, w := range map[string]string{
		"BlkioDeviceWriteBps":  `[{"Path":"` + dev + `","Rate":1048576}]`,
		"BlkioDeviceReadBps":   `[{"Path":"` + dev + `","Rate":2097152}]`,
		"BlkioDeviceWriteIOps": `[{"Path":"` + dev + `","Rate":30}]`,
		"BlkioDeviceReadIOps":  `[]`,
		"BlkioWeightDevice":    `[]`,
	} {
		if got := string(hc[key]); got != w {
			t.Errorf("inspect HostConfig.%s = %s, want %s", key, got, w)
		}
	}
}

// TestResourceCgroupIORefused: Docker's grammar and its words.
func TestResourceCgroupIORefused(t *testing.T) {
	root := newRoot(t)
	for _, tc := range []struct {
		flags []string
		says  string
	}{
		{[]string{"--device-write-bps", "/dev/null"}, `invalid argument "/dev/null" for "--device-write-bps" flag: bad format: /dev/null`},
		{[]string{"--device-write-bps", "sda:1mb"}, "bad format for device path: sda:1mb"},
		{[]string{"--device-read-bps", "/dev/null:fast"}, "invalid rate for device: /dev/null:fast. The correct format is <device-path>:<number>[<unit>]"},
		{[]string{"--device-read-iops", "/dev/null:1k"}, "invalid rate for device: /dev/null:1k. The correct format is <device-path>:<number>. Number must be a positive integer"},
		{[]string{"--device-read-iops", "/dev/nonexistent:10"}, "stat /dev/nonexistent"},
		{[]string{"--blkio-weight", "5"}, "Range of blkio weight is from 10 to 1000"},
		{[]string{"--blkio-weight-device", "/dev/null:5"}, "invalid weight for device: /dev/null:5"},
	} {
		r := pocket(t, root, append(append([]string{"run", "--rm", "--network", "none"}, tc.flags...), "busybox", "true")...)
		if r.Code != 125 || !strings.Contains(r.Stderr, tc.says) {
			t.Errorf("%v: want exit 125 saying %q\n%s", tc.flags, tc.says, r)
		}
	}
}

// TestResourceCgroupLimits reads, inside the container, the cgroup files
// the CPU-set, CFS and memory flags write.
func TestResourceCgroupLimits(t *testing.T) {
	root := newRoot(t)
	for _, tc := range []limitCase{{
		name:  "cpu-period and cpu-quota",
		flags: []string{"--cpu-period", "50000", "--cpu-quota", "25000"},
		v1:    map[string]string{"cpu/cpu.cfs_quota_us": "25000", "cpu/cpu.cfs_period_us": "50000"},
		v2:    map[string]string{"cpu.max": "25000 50000"},
	}, {
		name:  "cpuset-cpus and cpuset-mems",
		flags: []string{"--cpuset-cpus", "0", "--cpuset-mems", "0"},
		v1:    map[string]string{"cpuset/cpuset.cpus": "0", "cpuset/cpuset.mems": "0"},
		v2:    map[string]string{"cpuset.cpus": "0", "cpuset.mems": "0"},
	}, {
		name:  "memory-reservation",
		flags: []string{"-m", "64m", "--memory-reservation", "16m"},
		v1:    map[string]string{"memory/memory.soft_limit_in_bytes": "16777216"},
		v2:    map[string]string{"memory.low": "16777216"},
	}, {
		name:  "memory-swappiness, v1 only",
		flags: []string{"--memory-swappiness", "10"},
		v1:    map[string]string{"memory/memory.swappiness": "10"},
		v2:    map[string]string{},
	}, {
		name:  "cpu-rt-runtime, never on v2",
		flags: []string{"--cpu-rt-runtime", "1000"},
		v2:    nil, refuse: "--cpu-rt-runtime: cpu.rt_runtime_us: cgroup controller not available (hint: Your kernel does not support CPU real-time scheduler",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.v1
			if cgroup.Unified() {
				want = tc.v2
			} else if want == nil {
				t.Skip("v2 only")
			}
			args := append([]string{"run", "--rm", "--network", "none"}, tc.flags...)
			if want == nil {
				r := pocket(t, root, append(args, "busybox", "true")...)
				if r.Code != 125 || !strings.Contains(r.Stderr, tc.refuse) {
					t.Errorf("want exit 125 saying %s:\n%s", tc.refuse, r)
				}
				return
			}
			if len(want) == 0 {
				r := mustPocket(t, root, append(args, "busybox", "true")...)
				if !strings.Contains(r.Stderr, "WARNING: Your kernel does not support memory swappiness") {
					t.Errorf("no warning that swappiness is discarded:\n%s", r)
				}
				return
			}
			checkCgroupFiles(t, want, func(files []string) result {
				return mustPocket(t, root, append(append(args, "busybox", "cat"), files...)...)
			})
		})
	}
}

// TestResourceCgroupOOM: --oom-kill-disable sets v1's memory.oom_control
// (v2 has no such switch: Docker warns and discards it), --oom-score-adj
// is the container process's, --kernel-memory is accepted with Docker's
// deprecation warning.
func TestResourceCgroupOOM(t *testing.T) {
	root := newRoot(t)
	r := mustPocket(t, root, "run", "--rm", "--network", "none", "-m", "64m", "--oom-kill-disable", "--oom-score-adj", "500",
		"--kernel-memory", "50m", "busybox", "sh", "-c", "cat /proc/self/oom_score_adj; grep oom_kill_disable /sys/fs/cgroup/memory/memory.oom_control || true")
	if !strings.Contains(r.Stderr, "WARNING: Specifying a kernel memory limit is deprecated and will be removed in a future release.") {
		t.Errorf("no kernel memory warning:\n%s", r)
	}
	want := "500\noom_kill_disable 1\n"
	if cgroup.Unified() {
		want = "500\n"
		if !strings.Contains(r.Stderr, "WARNING: Your kernel does not support OomKillDisable. OomKillDisable discarded.") {
			t.Errorf("no OomKillDisable warning on v2:\n%s", r)
		}
	}
	if r.Stdout != want {
		t.Errorf("inside: %q, want %q", r.Stdout, want)
	}
	if r := pocket(t, root, "run", "--rm", "--oom-score-adj", "1001", "busybox", "true"); r.Code != 125 ||
		!strings.Contains(r.Stderr, "Invalid value 1001, range for oom score adj is [-1000, 1000]") {
		t.Errorf("--oom-score-adj 1001:\n%s", r)
	}
}

// TestResourceCgroupWeight: --blkio-weight goes to BFQ's weight file (or
// v2's io.weight, converted as runc does) where the kernel has one, and is
// refused naming the flag where it has none, never ignored.
func TestResourceCgroupWeight(t *testing.T) {
	root := newRoot(t)
	r := pocket(t, root, "run", "--rm", "--network", "none", "--blkio-weight", "300", "busybox", "sh", "-c",
		"cat /sys/fs/cgroup/blkio/blkio.bfq.weight /sys/fs/cgroup/blkio/blkio.weight /sys/fs/cgroup/io.bfq.weight /sys/fs/cgroup/io.weight 2>/dev/null; true")
	if r.Code == 125 {
		if !strings.Contains(r.Stderr, "--blkio-weight") || !strings.Contains(r.Stderr, "BFQ") {
			t.Errorf("refused without naming the flag and the fix:\n%s", r)
		}
		t.Logf("this kernel has no I/O weight: %s", r.Stderr)
		return
	}
	// BFQ shows "default 300"; io.weight "default 2728" (1+(300-10)*9999/990).
	if !strings.Contains(r.Stdout, "default 300") && !strings.Contains(r.Stdout, "300") && !strings.Contains(r.Stdout, "default 2929") {
		t.Errorf("--blkio-weight 300 not in the weight file:\n%s", r)
	}
}

// inspectHostConfig is the raw HostConfig of one container.
func inspectHostConfig(t *testing.T, root, id string) map[string]json.RawMessage {
	t.Helper()
	var in []struct{ HostConfig map[string]json.RawMessage }
	r := mustPocket(t, root, "inspect", id)
	if err := json.Unmarshal([]byte(r.Stdout), &in); err != nil || len(in) != 1 {
		t.Fatalf("inspect %s: %v\n%s", id, err, r)
	}
	for k, v := range in[0].HostConfig {
		var b bytes.Buffer
		json.Compact(&b, v)
		in[0].HostConfig[k] = b.Bytes()
	}
	return in[0].HostConfig
}
