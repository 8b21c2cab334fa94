package cgroup

import (
	"fmt"
	"runtime"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Resources are the limits Docker's run flags express. Zero means unset.
type Resources struct {
	Memory     int64   // bytes (-m)
	MemorySwap int64   // bytes of memory+swap; -1 unlimited (--memory-swap)
	CPUs       float64 // --cpus
	CPUShares  uint64  // --cpu-shares
	PidsLimit  int64   // --pids-limit; -1 unlimited

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
	if r.Memory > 0 {
		limit := r.Memory
		s.Memory = &specs.LinuxMemory{Limit: &limit}
		switch {
		case r.MemorySwap > 0:
			swap := r.MemorySwap
			s.Memory.Swap = &swap
		case r.implicitSwap() && swapAccounting:
			swap := 2 * r.Memory
			s.Memory.Swap = &swap
		}
	}
	if r.CPUs > 0 || r.CPUShares > 0 {
		s.CPU = &specs.LinuxCPU{}
		if r.CPUShares > 0 {
			shares := r.CPUShares
			s.CPU.Shares = &shares
		}
		if r.CPUs > 0 {
			quota, period := r.cpuQuota(), uint64(cfsPeriod)
			s.CPU.Quota, s.CPU.Period = &quota, &period
		}
	}
	if r.PidsLimit > 0 {
		limit := r.PidsLimit
		s.Pids = &specs.LinuxPids{Limit: &limit}
	}
	s.Devices = r.Devices
	return &s
}

// need is one kernel file a requested limit writes.
type need struct {
	flag       string // Docker flag (or what asked for the file), for the error
	controller string
	file       string
	hint       string
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
