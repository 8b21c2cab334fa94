package cgroup

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Resources are the limits Docker's run flags express. Zero means unset.
type Resources struct {
	Memory     int64   // bytes (-m)
	MemorySwap int64   // bytes of memory+swap; -1 unlimited (--memory-swap)
	CPUs       float64 // --cpus
	CPUShares  uint64  // --cpu-shares
	PidsLimit  int64   // --pids-limit; -1 unlimited

	CPUPeriod          int64  `json:",omitempty"` // µs (--cpu-period)
	CPUQuota           int64  `json:",omitempty"` // µs per period; -1 unlimited (--cpu-quota)
	CPURealtimePeriod  int64  `json:",omitempty"` // µs (--cpu-rt-period)
	CPURealtimeRuntime int64  `json:",omitempty"` // µs (--cpu-rt-runtime)
	CpusetCpus         string `json:",omitempty"` // "0-2,4" (--cpuset-cpus)
	CpusetMems         string `json:",omitempty"` // (--cpuset-mems)

	MemoryReservation int64  `json:",omitempty"` // bytes, a soft limit (--memory-reservation)
	MemorySwappiness  *int64 `json:",omitempty"` // 0-100; nil: the kernel's (--memory-swappiness)
	// KernelMemory is accepted and shown, never applied: the kernel
	// deprecated kmem limits (5.4) and v2 has none; Docker warns the same.
	KernelMemory   int64 `json:",omitempty"`
	OomKillDisable bool  `json:",omitempty"` // v1 memory.oom_control; v2 has no such switch

	BlkioWeight          uint16           `json:",omitempty"` // 10-1000
	BlkioWeightDevice    []WeightDevice   `json:",omitempty"`
	BlkioDeviceReadBps   []ThrottleDevice `json:",omitempty"`
	BlkioDeviceWriteBps  []ThrottleDevice `json:",omitempty"`
	BlkioDeviceReadIOps  []ThrottleDevice `json:",omitempty"`
	BlkioDeviceWriteIOps []ThrottleDevice `json:",omitempty"`

	// Devices is the device cgroup's rule list (see DeviceRules); nil
	// leaves device access unrestricted, which only rootless pocket,
	// without a device cgroup of its own, may ask for.
	Devices []specs.LinuxDeviceCgroup `json:",omitempty"`
}

const (
	// cfsPeriod is the CFS period Docker uses for --cpus (100ms, the
	// kernel's default); the quota is cpus times this period.
	cfsPeriod = 100000
	// minMemory is Docker's lower bound for -m (daemon/daemon_unix.go).
	minMemory = 6 * 1024 * 1024
)

// Validate refuses what Docker's daemon refuses, with Docker's reasons; run
// calls it before creating anything, New calls it again.
func (r Resources) Validate() error {
	switch {
	case r.Memory < 0:
		return invalid("--memory", "must not be negative")
	case r.Memory > 0 && r.Memory < minMemory:
		return invalid("--memory", "minimum memory limit allowed is 6MB")
	case r.MemorySwap < -1:
		return invalid("--memory-swap", "must be -1 (unlimited) or a size")
	case r.MemorySwap > 0 && r.Memory == 0:
		return invalid("--memory-swap", "you should always set the memory limit when using memoryswap limit (hint: add -m)")
	case r.MemorySwap > 0 && r.MemorySwap < r.Memory:
		return invalid("--memory-swap", "minimum memoryswap limit should be larger than memory limit")
	case r.CPUs < 0:
		return invalid("--cpus", "must not be negative")
	case r.MemoryReservation < 0:
		return invalid("--memory-reservation", "must not be negative")
	case r.MemoryReservation > 0 && r.MemoryReservation < minMemory:
		return invalid("--memory-reservation", "Minimum memory reservation allowed is 6MB")
	case r.Memory > 0 && r.MemoryReservation > r.Memory:
		return invalid("--memory-reservation", "Minimum memory limit can not be less than memory reservation limit, see usage")
	case r.MemorySwappiness != nil && (*r.MemorySwappiness < -1 || *r.MemorySwappiness > 100):
		return invalid("--memory-swappiness", fmt.Sprintf("Invalid value: %v, valid memory swappiness range is 0-100", *r.MemorySwappiness))
	case r.KernelMemory < 0:
		return invalid("--kernel-memory", "must not be negative")
	case r.CPUs > 0 && r.CPUPeriod > 0:
		return invalid("--cpu-period", "Conflicting options: Nano CPUs and CPU Period cannot both be set")
	case r.CPUs > 0 && r.CPUQuota > 0:
		return invalid("--cpu-quota", "Conflicting options: Nano CPUs and CPU Quota cannot both be set")
	case r.CPUPeriod != 0 && (r.CPUPeriod < 1000 || r.CPUPeriod > 1000000):
		return invalid("--cpu-period", "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)")
	case r.CPUQuota > 0 && r.CPUQuota < 1000:
		return invalid("--cpu-quota", "CPU cfs quota can not be less than 1ms (i.e. 1000)")
	case r.CPURealtimePeriod < 0 || r.CPURealtimeRuntime < 0:
		return invalid("--cpu-rt-runtime", "must not be negative")
	case r.CPURealtimePeriod != 0 && r.CPURealtimeRuntime != 0 && r.CPURealtimeRuntime > r.CPURealtimePeriod:
		return invalid("--cpu-rt-runtime", "cpu-rt-runtime cannot be higher than cpu-rt-period")
	case r.BlkioWeight > 0 && (r.BlkioWeight < 10 || r.BlkioWeight > 1000):
		return invalid("--blkio-weight", "Range of blkio weight is from 10 to 1000")
	}
	for _, d := range r.BlkioWeightDevice {
		if d.Weight > 0 && (d.Weight < 10 || d.Weight > 1000) {
			return invalid("--blkio-weight-device", "invalid weight for device: "+d.Path)
		}
	}
	if err := checkCpuset("cpus", r.CpusetCpus); err != nil {
		return err
	}
	if err := checkCpuset("mems", r.CpusetMems); err != nil {
		return err
	}
	if err := validateDevices(r.Devices); err != nil {
		return err
	}
	if n := runtime.NumCPU(); r.CPUs != 0 && (r.CPUs < 0.01 || r.CPUs > float64(n)) {
		return invalid("--cpus", fmt.Sprintf("range of CPUs is from 0.01 to %d.00, as there are only %d CPUs available", n, n))
	}
	return nil
}

func invalid(flag, why string) error {
	return fmt.Errorf("%s: %w: %s", flag, ErrInvalidLimit, why)
}

// cpuQuota converts --cpus to a CFS quota over cfsPeriod the way Docker
// does: through NanoCPUs, so 1.5 gives exactly 150000.
func (r Resources) cpuQuota() int64 {
	nano := int64(r.CPUs * 1e9)
	return nano * cfsPeriod / 1e9
}

// cfs is the CFS quota and period to write, from --cpus or from
// --cpu-quota and --cpu-period (which Validate keeps apart); ok is false
// when neither is asked for. A quota of -1 (unlimited) is the fresh
// cgroup's default and is written only with a period.
func (r Resources) cfs() (quota *int64, period *uint64, ok bool) {
	if r.CPUs > 0 {
		q, p := r.cpuQuota(), uint64(cfsPeriod)
		return &q, &p, true
	}
	if r.CPUQuota > 0 {
		q := r.CPUQuota
		quota = &q
	}
	if r.CPUPeriod > 0 {
		p := uint64(r.CPUPeriod)
		period = &p
	}
	return quota, period, quota != nil || period != nil
}

// implicitSwap reports whether Docker's default applies: with -m and no
// --memory-swap the container may use as much swap as memory.
func (r Resources) implicitSwap() bool { return r.Memory > 0 && r.MemorySwap == 0 }

// spec translates r for cgroup v1, as Docker does. swapAccounting says
// whether memory.memsw.* exists; it only matters for Docker's implicit
// swap default (memsw = 2*memory), which is a default, not a requested
// limit, and so is left out where the kernel cannot account swap.
//
// "Unlimited" (-1) is left unset: a fresh cgroup already starts with no
// limit, and asking for none must not require the controller.
func (r Resources) spec(swapAccounting bool) *specs.LinuxResources {
	var s specs.LinuxResources
	if r.Memory > 0 || r.MemoryReservation > 0 || r.swappiness() != nil || r.OomKillDisable {
		s.Memory = &specs.LinuxMemory{DisableOOMKiller: &r.OomKillDisable}
		if !r.OomKillDisable {
			s.Memory.DisableOOMKiller = nil
		}
		if r.MemoryReservation > 0 {
			res := r.MemoryReservation
			s.Memory.Reservation = &res
		}
		if sw := r.swappiness(); sw != nil {
			v := uint64(*sw)
			s.Memory.Swappiness = &v
		}
	}
	if r.Memory > 0 {
		limit := r.Memory
		s.Memory.Limit = &limit
		switch {
		case r.MemorySwap > 0:
			swap := r.MemorySwap
			s.Memory.Swap = &swap
		case r.implicitSwap() && swapAccounting:
			swap := 2 * r.Memory
			s.Memory.Swap = &swap
		}
	}
	quota, period, cfs := r.cfs()
	if cfs || r.CPUShares > 0 || r.CpusetCpus != "" || r.CpusetMems != "" || r.CPURealtimeRuntime > 0 || r.CPURealtimePeriod > 0 {
		s.CPU = &specs.LinuxCPU{Quota: quota, Period: period, Cpus: r.CpusetCpus, Mems: r.CpusetMems}
		if r.CPUShares > 0 {
			shares := r.CPUShares
			s.CPU.Shares = &shares
		}
		if r.CPURealtimePeriod > 0 {
			p := uint64(r.CPURealtimePeriod)
			s.CPU.RealtimePeriod = &p
		}
		if r.CPURealtimeRuntime > 0 {
			rt := r.CPURealtimeRuntime
			s.CPU.RealtimeRuntime = &rt
		}
	}
	s.BlockIO = r.blkioV1()
	if r.PidsLimit > 0 {
		limit := r.PidsLimit
		s.Pids = &specs.LinuxPids{Limit: &limit}
	}
	s.Devices = r.Devices
	return &s
}

// swappiness is --memory-swappiness when it asks for a value (-1 is
// Docker's "unset").
func (r Resources) swappiness() *int64 {
	if r.MemorySwappiness == nil || *r.MemorySwappiness < 0 {
		return nil
	}
	return r.MemorySwappiness
}

// need is one kernel file a requested limit writes.
type need struct {
	flag       string // Docker flag (or what asked for the file), for the error
	controller string
	file       string
	hint       string
}

// present reports whether dir has the file (or one of the files, "a|b").
func (n need) present(dir string) bool {
	for _, f := range strings.Split(n.file, "|") {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return true
		}
	}
	return false
}

func (n need) missing() error {
	return fmt.Errorf("%s: %s: %w (hint: %s)", n.flag, n.file, ErrNoController, n.hint)
}

// needs lists the files r writes on v1 (unified false) or v2. Implicit swap
// is not listed: it is applied only where available.
func (r Resources) needs(unified bool) []need {
	var out []need
	add := func(flag, controller, v1, v2, hint string) {
		file := v1
		if unified {
			file = v2
			if controller == "blkio" {
				controller = "io"
			}
		}
		out = append(out, need{flag, controller, file, hint})
	}
	if r.Memory > 0 {
		add("--memory", "memory", "memory.limit_in_bytes", "memory.max",
			"enable the memory controller: boot with cgroup_enable=memory")
	}
	if r.MemorySwap > 0 {
		add("--memory-swap", "memory", "memory.memsw.limit_in_bytes", "memory.swap.max",
			"boot with swapaccount=1, or drop --memory-swap")
	}
	if r.CPUs > 0 {
		add("--cpus", "cpu", "cpu.cfs_quota_us", "cpu.max",
			"the kernel needs CONFIG_CFS_BANDWIDTH, or drop --cpus")
	}
	if r.CPUQuota > 0 {
		add("--cpu-quota", "cpu", "cpu.cfs_quota_us", "cpu.max",
			"the kernel needs CONFIG_CFS_BANDWIDTH, or drop --cpu-quota")
	}
	if r.CPUPeriod > 0 {
		add("--cpu-period", "cpu", "cpu.cfs_period_us", "cpu.max",
			"the kernel needs CONFIG_CFS_BANDWIDTH, or drop --cpu-period")
	}
	if r.CPURealtimeRuntime > 0 || r.CPURealtimePeriod > 0 {
		// cgroup v2 has no real-time group scheduling at all.
		add("--cpu-rt-runtime", "cpu", "cpu.rt_runtime_us", "cpu.rt_runtime_us",
			"Your kernel does not support CPU real-time scheduler (CONFIG_RT_GROUP_SCHED, cgroup v1 only); drop --cpu-rt-period and --cpu-rt-runtime")
	}
	if r.CpusetCpus != "" {
		add("--cpuset-cpus", "cpuset", "cpuset.cpus", "cpuset.cpus",
			"enable the cpuset controller, or drop --cpuset-cpus")
	}
	if r.CpusetMems != "" {
		add("--cpuset-mems", "cpuset", "cpuset.mems", "cpuset.mems",
			"enable the cpuset controller, or drop --cpuset-mems")
	}
	if r.MemoryReservation > 0 {
		add("--memory-reservation", "memory", "memory.soft_limit_in_bytes", "memory.low",
			"enable the memory controller, or drop --memory-reservation")
	}
	if r.swappiness() != nil && !unified {
		add("--memory-swappiness", "memory", "memory.swappiness", "",
			"enable the memory controller, or drop --memory-swappiness")
	}
	if r.OomKillDisable && !unified {
		add("--oom-kill-disable", "memory", "memory.oom_control", "",
			"enable the memory controller, or drop --oom-kill-disable")
	}
	if r.BlkioWeight > 0 || len(r.BlkioWeightDevice) > 0 {
		add("--blkio-weight", "blkio", "blkio.bfq.weight|blkio.weight", "io.bfq.weight|io.weight",
			"the kernel needs the BFQ I/O scheduler (or CONFIG_BLK_CGROUP_IOCOST on v2), or drop --blkio-weight")
	}
	for _, t := range []struct {
		flag   string
		set    bool
		v1file string
	}{
		{"--device-read-bps", len(r.BlkioDeviceReadBps) > 0, "blkio.throttle.read_bps_device"},
		{"--device-write-bps", len(r.BlkioDeviceWriteBps) > 0, "blkio.throttle.write_bps_device"},
		{"--device-read-iops", len(r.BlkioDeviceReadIOps) > 0, "blkio.throttle.read_iops_device"},
		{"--device-write-iops", len(r.BlkioDeviceWriteIOps) > 0, "blkio.throttle.write_iops_device"},
	} {
		if t.set {
			add(t.flag, "blkio", t.v1file, "io.max",
				"the kernel needs CONFIG_BLK_DEV_THROTTLING, or drop "+t.flag)
		}
	}
	if r.CPUShares > 0 {
		add("--cpu-shares", "cpu", "cpu.shares", "cpu.weight",
			"enable the cpu controller, or drop --cpu-shares")
	}
	if r.PidsLimit > 0 {
		add("--pids-limit", "pids", "pids.max", "pids.max",
			"the kernel needs CONFIG_CGROUP_PIDS, or drop --pids-limit")
	}
	if len(r.Devices) > 0 && !unified {
		// v2 has no file: the rules become an eBPF program.
		add("device rules", "devices", "devices.allow", "",
			"the kernel needs CONFIG_CGROUP_DEVICE; pocket runs no container with unrestricted device access")
	}
	return out
}
