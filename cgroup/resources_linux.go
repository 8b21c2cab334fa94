package cgroup

import "github.com/containerd/cgroups/v3/cgroup2"

// v2 translates r for the unified hierarchy, as Docker (through runc) does:
// memory.swap.max holds swap alone, so it is --memory-swap minus --memory;
// --cpu-shares becomes a cpu.weight on containerd's (and runc's) curve.
// swapAvailable says whether memory.swap.max exists, for the implicit
// swap default as in spec. Unlimited (-1) is left unset, as in spec.
func (r Resources) v2(swapAvailable bool) *cgroup2.Resources {
	var out cgroup2.Resources
	if r.Memory > 0 || r.MemoryReservation > 0 {
		out.Memory = &cgroup2.Memory{}
	}
	if r.MemoryReservation > 0 {
		// runc's translation of the v1 soft limit.
		low := r.MemoryReservation
		out.Memory.Low = &low
	}
	if r.Memory > 0 {
		limit := r.Memory
		out.Memory.Max = &limit
		switch {
		case r.MemorySwap > 0:
			swap := r.MemorySwap - r.Memory
			out.Memory.Swap = &swap
		case r.implicitSwap() && swapAvailable:
			swap := r.Memory
			out.Memory.Swap = &swap
		}
	}
	quota, period, cfs := r.cfs()
	if cfs || r.CPUShares > 0 || r.CpusetCpus != "" || r.CpusetMems != "" {
		out.CPU = &cgroup2.CPU{Cpus: r.CpusetCpus, Mems: r.CpusetMems}
		if r.CPUShares > 0 {
			w := cgroup2.ConvertCPUSharesToCgroupV2Value(r.CPUShares)
			out.CPU.Weight = &w
		}
		if cfs {
			out.CPU.Max = cgroup2.NewCPUMax(quota, period)
		}
	}
	out.IO = r.ioV2()
	if r.PidsLimit > 0 {
		out.Pids = &cgroup2.Pids{Max: r.PidsLimit}
	}
	// containerd compiles these into an eBPF program (as runc does) and
	// attaches it to the cgroup.
	out.Devices = complete(r.Devices)
	return &out
}
