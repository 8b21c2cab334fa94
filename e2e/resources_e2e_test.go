//go:build linux

package e2e

// run's I/O, CPU-set, memory, /dev/shm, sysctl and OOM flags, and
// `pocket update`, end to end. The cgroup tests (TestResourceCgroup*,
// TestUpdate*) also run on pure cgroup v2 in the VM (internal/cmd/vm).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"pocket/cgroup"
)

// attachLoop attaches a file in a temporary directory to a free loop
// device, as losetup does (LOOP_CTL_GET_FREE, LOOP_SET_FD: the VM has no
// losetup), and detaches it when the test ends.
func attachLoop(t *testing.T) (path string, major, minor uint32) {
	t.Helper()
	backing := filepath.Join(t.TempDir(), "disk.img")
	if err := os.WriteFile(backing, make([]byte, 4<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	ctl, err := os.OpenFile("/dev/loop-control", os.O_RDWR, 0)
	if err != nil {
		t.Fatalf("loop devices: %v", err)
	}
	defer ctl.Close()
	f, err := os.OpenFile(backing, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for range 10 {
		n, err := unix.IoctlRetInt(int(ctl.Fd()), unix.LOOP_CTL_GET_FREE)
		if err != nil {
			t.Fatalf("LOOP_CTL_GET_FREE: %v", err)
		}
		path = fmt.Sprintf("/dev/loop%d", n)
		dev, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		err = unix.IoctlSetInt(int(dev.Fd()), unix.LOOP_SET_FD, int(f.Fd()))
		if err == unix.EBUSY { // taken meanwhile, by another test
			dev.Close()
			continue
		}
		if err != nil {
			dev.Close()
			t.Fatalf("LOOP_SET_FD %s: %v", path, err)
		}
		t.Cleanup(func() {
			unix.IoctlSetInt(int(dev.Fd()), unix.LOOP_CLR_FD, 0)
			dev.Close()
		})
		var st unix.Stat_t
		if err := unix.Stat(path, &st); err != nil {
			t.Fatal(err)
		}
		return path, unix.Major(st.Rdev), unix.Minor(st.Rdev)
	}
	t.Fatal("no free loop device")
	return
}

// TestResourceCgroupIO: --device-*-bps/iops on a loop device reach
// blkio.throttle.* (v1) or io.max (v2), and inspect shows them in Docker's
// shape; a write through the limit still works (no timing is asserted).
func TestResourceCgroupIO(t *testing.T) {
	root := newRoot(t)
	dev, maj, min := attachLoop(t)
	num := fmt.Sprintf("%d:%d", maj, min)
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
	// BFQ shows "300" (v1) or "default 300" (v2); io.weight "default
	// 2930" (runc's 1+(300-10)*9999/990).
	if got := strings.TrimSpace(r.Stdout); got != "300" && got != "default 300" && got != "default 2930" {
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

// TestResourceShmSize: /dev/shm is a 64 MiB tmpfs by default, as Docker's,
// and --shm-size sizes it; inspect shows the bytes.
func TestResourceShmSize(t *testing.T) {
	root := newRoot(t)
	for _, tc := range []struct {
		flags []string
		kb    string
	}{{nil, "65536"}, {[]string{"--shm-size", "128m"}, "131072"}} {
		args := append(append([]string{"run", "--rm", "--network", "none"}, tc.flags...), "busybox", "df", "-k", "/dev/shm")
		r := mustPocket(t, root, args...)
		if f := strings.Fields(lastLine(r.Stdout)); len(f) < 2 || f[1] != tc.kb {
			t.Errorf("%v: df /dev/shm: want %s KiB\n%s", tc.flags, tc.kb, r)
		}
	}
	id := strings.TrimSpace(mustPocket(t, root, "run", "-d", "--network", "none", "--shm-size", "1g", "busybox", "sleep", "1000").Stdout)
	defer pocket(t, root, "rm", "-f", id)
	if got := string(inspectHostConfig(t, root, id)["ShmSize"]); got != "1073741824" {
		t.Errorf("inspect ShmSize = %s, want 1073741824", got)
	}
	if r := pocket(t, root, "run", "--rm", "--shm-size", "lots", "busybox", "true"); r.Code != 125 || !strings.Contains(r.Stderr, `invalid argument "lots" for "--shm-size" flag`) {
		t.Errorf("--shm-size lots:\n%s", r)
	}
}

func lastLine(s string) string {
	l := lines(s)
	if len(l) == 0 {
		return ""
	}
	return l[len(l)-1]
}

// TestResourceSysctl: a namespaced sysctl is set in the container's own
// namespace (the host keeps its value); what Docker refuses is refused
// with its words and exit 125, a key that would name a file outside the
// namespaced tree included.
func TestResourceSysctl(t *testing.T) {
	root := newRoot(t)
	const file = "/proc/sys/net/ipv4/ip_unprivileged_port_start"
	host, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	r := mustPocket(t, root, "run", "--rm", "--network", "none", "--sysctl", "net.ipv4.ip_unprivileged_port_start=80",
		"--sysctl", "kernel.shmmni=1000", "busybox", "cat", file, "/proc/sys/kernel/shmmni")
	if r.Stdout != "80\n1000\n" {
		t.Errorf("inside: %q, want 80 and 1000", r.Stdout)
	}
	if now, _ := os.ReadFile(file); string(now) != string(host) {
		t.Errorf("the host's %s changed: %q, was %q", file, now, host)
	}
	for _, tc := range []struct {
		flags []string
		says  string
	}{
		{[]string{"--sysctl", "kernel.hostname=x"}, `sysctl 'kernel.hostname=x' is not whitelisted`},
		{[]string{"--sysctl", "kernel.domainname=x"}, `sysctl 'kernel.domainname=x' is not whitelisted`},
		{[]string{"--sysctl", "vm.swappiness=1"}, `sysctl 'vm.swappiness=1' is not whitelisted`},
		{[]string{"--sysctl", "net.ipv4.ip_forward"}, `sysctl 'net.ipv4.ip_forward' is not whitelisted`},
		// Dots become slashes: "/" or ".." would reach a host-wide file.
		{[]string{"--sysctl", "net.ipv4/../../kernel/core_pattern=|/bin/x"}, `is not whitelisted`},
		{[]string{"--sysctl", "net...kernel.core_pattern=x"}, `is not whitelisted`},
		{[]string{"--network", "host", "--sysctl", "net.ipv4.ip_forward=1"}, `sysctl "net.ipv4.ip_forward" not allowed in host network namespace`},
		{[]string{"--ipc", "host", "--sysctl", "kernel.shmmni=1"}, `sysctl "kernel.shmmni" is not allowed in the hosts ipc namespace`},
	} {
		r := pocket(t, root, append(append([]string{"run", "--rm"}, tc.flags...), "busybox", "true")...)
		if r.Code != 125 || !strings.Contains(r.Stderr, tc.says) {
			t.Errorf("%v: want exit 125 saying %q\n%s", tc.flags, tc.says, r)
		}
	}
	id := strings.TrimSpace(mustPocket(t, root, "run", "-d", "--network", "none", "--sysctl", "net.ipv4.ip_forward=1", "busybox", "sleep", "1000").Stdout)
	defer pocket(t, root, "rm", "-f", id)
	if got := string(inspectHostConfig(t, root, id)["Sysctls"]); got != `{"net.ipv4.ip_forward":"1"}` {
		t.Errorf("inspect Sysctls = %s", got)
	}
}

// TestResourceNamespaces: --pid, --ipc and --network container:NAME join
// that container's namespaces (its processes, its SysV shared memory, its
// address); host modes share the host's; Docker's refusals in its words.
func TestResourceNamespaces(t *testing.T) {
	pushProbe(t)
	root := newRoot(t)
	id := strings.TrimSpace(mustPocket(t, root, "run", "-d", "--name", "donor", "--ipc", "shareable", "sysprobe", "sh", "-c",
		"/sysprobe shmget && echo donor > /dev/shm/posix && exec sleep 1000").Stdout)
	defer pocket(t, root, "rm", "-f", id)

	t.Run("pid container", func(t *testing.T) {
		r := mustPocket(t, root, "run", "--rm", "--network", "none", "--pid", "container:donor", "busybox", "ps", "-o", "args")
		if !strings.Contains(r.Stdout, "sleep 1000") {
			t.Errorf("--pid container:donor does not see donor's sleep:\n%s", r)
		}
	})
	t.Run("ipc container", func(t *testing.T) {
		// The segment sysprobe made, key "pock" (1886348139).
		r := mustPocket(t, root, "run", "--rm", "--network", "none", "--ipc", "container:donor", "busybox", "cat", "/proc/sysvipc/shm")
		if !strings.Contains(r.Stdout, "1886348139") {
			t.Errorf("--ipc container:donor does not see donor's shm segment:\n%s", r)
		}
		// Its /dev/shm too (POSIX shared memory), as Docker shares it.
		r = mustPocket(t, root, "run", "--rm", "--network", "none", "--ipc", "container:donor", "busybox", "cat", "/dev/shm/posix")
		if r.Stdout != "donor\n" {
			t.Errorf("--ipc container:donor does not share donor's /dev/shm:\n%s", r)
		}
		r = mustPocket(t, root, "run", "--rm", "--network", "none", "busybox", "cat", "/proc/sysvipc/shm")
		if strings.Contains(r.Stdout, "1886348139") {
			t.Errorf("a private IPC namespace sees donor's segment:\n%s", r)
		}
	})
	t.Run("network container", func(t *testing.T) {
		want := strings.TrimSpace(mustPocket(t, root, "inspect", "-f", "{{.NetworkSettings.IPAddress}}", "donor").Stdout)
		r := mustPocket(t, root, "run", "--rm", "--network", "container:donor", "busybox", "sh", "-c", "ip -4 -o addr show eth0; hostname")
		if want == "" || !strings.Contains(r.Stdout, want+"/") {
			t.Errorf("--network container:donor: want donor's address %q\n%s", want, r)
		}
		if !strings.Contains(r.Stdout, id[:12]) {
			t.Errorf("--network container:donor: want donor's hostname %s\n%s", id[:12], r)
		}
	})
	t.Run("host modes", func(t *testing.T) {
		hostPID, _ := os.Readlink("/proc/self/ns/pid")
		hostUTS, _ := os.Readlink("/proc/self/ns/uts")
		hostIPC, _ := os.Readlink("/proc/self/ns/ipc")
		hostName, _ := os.Hostname()
		r := mustPocket(t, root, "run", "--rm", "--network", "none", "--pid", "host", "--uts", "host", "--ipc", "host", "--userns", "host",
			"busybox", "sh", "-c", "for n in pid uts ipc; do readlink /proc/self/ns/$n; done; hostname")
		if want := strings.Join([]string{hostPID, hostUTS, hostIPC, hostName}, "\n") + "\n"; r.Stdout != want {
			t.Errorf("host modes: got\n%s\nwant\n%s", r.Stdout, want)
		}
	})
	t.Run("inspect", func(t *testing.T) {
		j := strings.TrimSpace(mustPocket(t, root, "run", "-d", "--pid", "container:donor", "--ipc", "container:donor",
			"--network", "container:donor", "--uts", "host", "--cgroupns", "host", "busybox", "sleep", "1000").Stdout)
		defer pocket(t, root, "rm", "-f", j)
		hc := inspectHostConfig(t, root, j)
		for key, w := range map[string]string{
			"PidMode": `"container:donor"`, "IpcMode": `"container:donor"`, "NetworkMode": `"container:donor"`,
			"UTSMode": `"host"`, "UsernsMode": `""`, "CgroupnsMode": `"host"`,
		} {
			if got := string(hc[key]); got != w {
				t.Errorf("inspect HostConfig.%s = %s, want %s", key, got, w)
			}
		}
		if got := string(inspectHostConfig(t, root, id)["IpcMode"]); got != `"shareable"` {
			t.Errorf("donor's IpcMode = %s", got)
		}
	})
	t.Run("refused", func(t *testing.T) {
		mustPocket(t, root, "run", "--name", "stopped", "--network", "none", "busybox", "true")
		mustPocket(t, root, "run", "-d", "--name", "private", "--network", "none", "busybox", "sleep", "1000")
		defer pocket(t, root, "rm", "-f", "private")
		for _, tc := range []struct {
			flags []string
			says  string
		}{
			{[]string{"--pid", "container:stopped"}, "Container stopped is not running"},
			{[]string{"--ipc", "container:stopped"}, "Container stopped is not running"},
			{[]string{"--network", "container:stopped"}, "cannot join network of a non running container: stopped"},
			{[]string{"--pid", "container:nosuch"}, "nosuch"},
			{[]string{"--ipc", "container:private"}, "container private: non-shareable IPC (hint: use IpcMode:shareable for the donor container)"},
			{[]string{"--pid", "bogus"}, "--pid: invalid PID mode"},
			{[]string{"--ipc", "bogus"}, "--ipc: invalid IPC mode"},
			{[]string{"--uts", "private"}, "--uts: invalid UTS mode"},
			{[]string{"--userns", "private"}, "--userns: invalid USER mode"},
			{[]string{"--cgroupns", "bogus"}, "--cgroupns: invalid CGROUP mode"},
			{[]string{"--uts", "host", "-h", "x"}, "conflicting options: hostname and the UTS mode"},
			{[]string{"--network", "container:donor", "-h", "x"}, "conflicting options: hostname and the network mode"},
			{[]string{"--network", "container:donor", "--dns", "1.1.1.1"}, "conflicting options: dns and the network mode"},
			{[]string{"--network", "container:donor", "-p", "80"}, "conflicting options: port publishing"},
		} {
			r := pocket(t, root, append(append([]string{"run", "--rm"}, tc.flags...), "busybox", "true")...)
			if r.Code != 125 || !strings.Contains(r.Stderr, tc.says) {
				t.Errorf("%v: want exit 125 saying %q\n%s", tc.flags, tc.says, r)
			}
		}
	})
}

// TestUpdateCgroup: `pocket update` changes a running container's cgroup,
// seen inside it, and its record, seen by inspect; it prints each name as
// given, as Docker does, and fails with status 1.
func TestUpdateCgroup(t *testing.T) {
	root := newRoot(t)
	id := strings.TrimSpace(mustPocket(t, root, "run", "-d", "--name", "limited", "--network", "none", "-m", "64m", "--cpus", "0.5",
		"--pids-limit", "50", "busybox", "sleep", "1000").Stdout)
	defer pocket(t, root, "rm", "-f", id)
	r := mustPocket(t, root, "update", "-m", "128m", "--memory-swap", "256m", "--cpus", "1", "--pids-limit", "60",
		"--cpu-shares", "512", "--cpuset-cpus", "0", "limited")
	if r.Stdout != "limited\n" {
		t.Errorf("update printed %q, want the name", r.Stdout)
	}
	want := map[string]string{
		"memory/memory.limit_in_bytes": "134217728", "cpu/cpu.cfs_quota_us": "100000", "pids/pids.max": "60",
		"cpu/cpu.shares": "512", "cpuset/cpuset.cpus": "0",
	}
	if swapAccountingV1() {
		want["memory/memory.memsw.limit_in_bytes"] = "268435456"
	}
	if cgroup.Unified() {
		want = map[string]string{"memory.max": "134217728", "memory.swap.max": "134217728", "cpu.max": "100000 100000",
			"pids.max": "60", "cpu.weight": "59", "cpuset.cpus": "0"}
	}
	// From the host: pocket exec is not this test's.
	for f, w := range want {
		p := filepath.Join(cgroupRoot, "pocket", id, f)
		if !cgroup.Unified() {
			h, file, _ := strings.Cut(f, "/")
			p = filepath.Join(cgroupRoot, h, "pocket", id, file)
		}
		b, err := os.ReadFile(p)
		if got := strings.TrimSpace(string(b)); err != nil || got != w {
			t.Errorf("%s = %q (%v), want %q", p, got, err, w)
		}
	}
	hc := inspectHostConfig(t, root, id)
	for key, w := range map[string]string{"Memory": "134217728", "MemorySwap": "268435456", "NanoCpus": "1000000000",
		"PidsLimit": "60", "CpuShares": "512", "CpusetCpus": `"0"`} {
		if got := string(hc[key]); got != w {
			t.Errorf("inspect HostConfig.%s = %s after update, want %s", key, got, w)
		}
	}

	r = pocket(t, root, "update", "--cpu-period", "50000", "limited")
	if r.Code != 1 || !strings.Contains(r.Stderr, "Conflicting options: Nano CPUs and CPU Period cannot both be set") {
		t.Errorf("update --cpu-period over --cpus: want exit 1 with Docker's conflict\n%s", r)
	}
	r = pocket(t, root, "update", "-m", "512m", "limited")
	if r.Code != 1 || !strings.Contains(r.Stderr, "Memory limit should be smaller than already set memoryswap limit") {
		t.Errorf("update -m past memory-swap: want exit 1\n%s", r)
	}
	if r := pocket(t, root, "update", "--pids-limit", "10", "nosuch"); r.Code != 1 {
		t.Errorf("update of no such container: want exit 1\n%s", r)
	}
	// Stopped: the record changes, for the next start.
	mustPocket(t, root, "run", "--name", "stopped", "--network", "none", "busybox", "true")
	mustPocket(t, root, "update", "--blkio-weight", "200", "--cpu-quota", "20000", "stopped")
	hc = inspectHostConfig(t, root, "stopped")
	if string(hc["BlkioWeight"]) != "200" || string(hc["CpuQuota"]) != "20000" {
		t.Errorf("stopped container's record: BlkioWeight %s CpuQuota %s", hc["BlkioWeight"], hc["CpuQuota"])
	}
}

// TestResourceCgroupRealtime: on v1 with real-time group scheduling the
// runtime and period reach cpu.rt_*; elsewhere (every v2 host) the flags
// are refused naming the missing support (TestResourceCgroupLimits).
func TestResourceCgroupRealtime(t *testing.T) {
	if cgroup.Unified() {
		t.Skip("cgroup v2 has no real-time group scheduling; refused in TestResourceCgroupLimits")
	}
	if _, err := os.Stat(filepath.Join(cgroupRoot, "cpu", "cpu.rt_runtime_us")); err != nil {
		t.Skip("this v1 kernel has no CONFIG_RT_GROUP_SCHED")
	}
	root := newRoot(t)
	checkCgroupFiles(t, map[string]string{"cpu/cpu.rt_runtime_us": "10000", "cpu/cpu.rt_period_us": "1000000"}, func(files []string) result {
		return mustPocket(t, root, append([]string{"run", "--rm", "--network", "none", "--cpu-rt-period", "1000000",
			"--cpu-rt-runtime", "10000", "busybox", "cat"}, files...)...)
	})
	r := pocket(t, root, "run", "--rm", "--cpu-rt-period", "1000", "--cpu-rt-runtime", "2000", "busybox", "true")
	if r.Code != 125 || !strings.Contains(r.Stderr, "cpu-rt-runtime cannot be higher than cpu-rt-period") {
		t.Errorf("runtime above period:\n%s", r)
	}
}

// TestResourceRootless: rootless pocket sets what its own namespaces
// allow (a sysctl of its network namespace, /dev/shm's size, a higher OOM
// score, the host's UTS and IPC namespaces) and refuses, naming the flag,
// what it cannot: joining another container (another user namespace),
// the host's /proc, a limit without a delegated cgroup.
func TestResourceRootless(t *testing.T) {
	e := newRootlessEnv(t, userWithSubIDs)
	got := e.runOut(t, "--network", "none", "--sysctl", "net.ipv4.ip_unprivileged_port_start=99", "--shm-size", "8m",
		"--oom-score-adj", "700", "--uts", "host", "--ipc", "host", "busybox", "sh", "-c",
		"cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/self/oom_score_adj; df -k /dev/shm | tail -1 | awk '{print $2}' >/dev/null; echo ok")
	if got != "99\n700\nok" {
		t.Errorf("rootless: %q", got)
	}
	got = e.runOut(t, "--network", "none", "--shm-size", "8m", "busybox", "sh", "-c", "df -k /dev/shm | tail -1")
	if f := strings.Fields(got); len(f) < 2 || f[1] != "8192" {
		t.Errorf("rootless --shm-size 8m: df says %q", got)
	}
	for _, tc := range []struct {
		flags []string
		says  string
	}{
		{[]string{"--pid", "container:x"}, "rootless pocket cannot join another container's namespaces"},
		{[]string{"--ipc", "container:x"}, "rootless pocket cannot join another container's namespaces"},
		{[]string{"--network", "container:x"}, "rootless pocket cannot join another container's namespaces"},
		{[]string{"--pid", "host"}, "--pid host: rootless pocket cannot mount the host's /proc"},
		{[]string{"--userns", "host"}, "--userns host: rootless"},
	} {
		r := e.pocket(t, append(append([]string{"run", "--rm"}, tc.flags...), "busybox", "true")...)
		if r.Code != 125 || !strings.Contains(r.Stderr, tc.says) {
			t.Errorf("%v: want exit 125 saying %q\n%s", tc.flags, tc.says, r)
		}
	}
	if !cgroup.Unified() {
		// No delegated subtree on v1: every limit is refused by name.
		r := e.pocket(t, "run", "--rm", "--cpuset-cpus", "0", "busybox", "true")
		if r.Code != 125 || !strings.Contains(r.Stderr, "--cpuset-cpus needs a delegated cgroup v2 subtree") {
			t.Errorf("rootless --cpuset-cpus on v1:\n%s", r)
		}
	}
}
