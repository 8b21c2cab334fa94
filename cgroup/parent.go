package cgroup

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// v2Mount is where the unified hierarchy is mounted.
const v2Mount = "/sys/fs/cgroup"

// Parent is where a container's cgroup goes: the hierarchy's root as real
// root; for a rootless process (the caller says which, as it decides for
// everything else) the delegated v2 subtree it may write, ok false when
// there is none (the container then runs without a cgroup, see Unlimited).
func Parent(rootless bool) (parent string, ok bool) {
	if !rootless {
		return "", true
	}
	if !Unified() {
		return "", false
	}
	self, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", false
	}
	return delegatedParent(self, func(group string) bool {
		return unix.Access(filepath.Join(v2Mount, group, "cgroup.subtree_control"), unix.W_OK) == nil
	})
}

// delegatedParent is the topmost cgroup, on the path from the root to the
// process's own v2 cgroup (from /proc/self/cgroup), whose subtree control
// the process may write: systemd's user@UID.service when it delegates to
// the user. Its own cgroup holds processes, so it cannot hold controllers
// for children (cgroup v2's no-internal-process rule).
func delegatedParent(procSelfCgroup []byte, writable func(group string) bool) (string, bool) {
	own := ""
	sc := bufio.NewScanner(bytes.NewReader(procSelfCgroup))
	for sc.Scan() {
		if g, ok := strings.CutPrefix(sc.Text(), "0::"); ok {
			own = path.Clean(g)
		}
	}
	if own == "" || own == "/" {
		return "", false
	}
	var found string
	for g := own; g != "/"; g = path.Dir(g) {
		if !writable(g) {
			break
		}
		found = g
	}
	return found, found != ""
}

// Unlimited refuses r if it asks for any limit: for a container without a
// cgroup (rootless, no delegated subtree), where a limit would otherwise
// be silently ignored.
func Unlimited(r Resources) error {
	for _, f := range []struct {
		flag string
		set  bool
	}{
		{"--memory", r.Memory != 0},
		{"--memory-swap", r.MemorySwap != 0},
		{"--cpus", r.CPUs != 0},
		{"--cpu-shares", r.CPUShares != 0},
		{"--pids-limit", r.PidsLimit != 0},
		{"--cpu-period", r.CPUPeriod != 0},
		{"--cpu-quota", r.CPUQuota != 0},
		{"--cpu-rt-period", r.CPURealtimePeriod != 0},
		{"--cpu-rt-runtime", r.CPURealtimeRuntime != 0},
		{"--cpuset-cpus", r.CpusetCpus != ""},
		{"--cpuset-mems", r.CpusetMems != ""},
		{"--memory-reservation", r.MemoryReservation != 0},
		{"--memory-swappiness", r.swappiness() != nil},
		{"--oom-kill-disable", r.OomKillDisable},
		{"--blkio-weight", r.BlkioWeight != 0},
		{"--blkio-weight-device", len(r.BlkioWeightDevice) > 0},
		{"--device-read-bps", len(r.BlkioDeviceReadBps) > 0},
		{"--device-write-bps", len(r.BlkioDeviceWriteBps) > 0},
		{"--device-read-iops", len(r.BlkioDeviceReadIOps) > 0},
		{"--device-write-iops", len(r.BlkioDeviceWriteIOps) > 0},
	} {
		if f.set {
			return &noCgroupError{flag: f.flag}
		}
	}
	return nil
}

// noCgroupError names the limit rootless pocket cannot apply.
type noCgroupError struct{ flag string }

func (e *noCgroupError) Error() string {
	return fmt.Sprintf("%s needs a delegated cgroup v2 subtree, which rootless pocket does not have here "+
		"(hint: run pocket as root, or boot with cgroup v2 (systemd.unified_cgroup_hierarchy=1) and delegate "+
		"controllers to users with Delegate=yes in user@.service) (run `pocket doctor`)", e.flag)
}

func (e *noCgroupError) Unwrap() error { return ErrUnavailable }
