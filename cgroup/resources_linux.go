package cgroup

import "github.com/containerd/cgroups/v3/cgroup2"

// v2 translates r for the unified hierarchy, as Docker (through runc) does:
// memory.swap.max holds swap alone, so it is --memory-swap minus --memory;
// --cpu-shares becomes a cpu.weight on containerd's (and runc's) curve.
// swapAvailable says whether memory.swap.max exists, for the implicit
// swap default as in spec. Unlimited (-1) is left unset, as in spec.
func (r Resources) v2(swapAvailable bool) *cgroup2.Resources {
	var out cgroup2.Resources
	if r.Memory > 0 {
		limit := r.Memory
		out.Memory = &cgroup2.Memory{Max: &limit}
		switch {
		case r.MemorySwap > 0:
			swap := r.MemorySwap - r.Memory
			out.Memory.Swap = &swap
		case r.implicitSwap() && swapAvailable:
			swap := r.Memory
			out.Memory.Swap = &swap
		}
	}
	if r.CPUs > 0 || r.CPUShares > 0 {
		out.CPU = &cgroup2.CPU{}
		if r.CPUShares > 0 {
			w := cgroup2.ConvertCPUSharesToCgroupV2Value(r.CPUShares)
			out.CPU.Weight = &w
		}
		if r.CPUs > 0 {
			quota, period := r.cpuQuota(), uint64(cfsPeriod)
			out.CPU.Max = cgroup2.NewCPUMax(&quota, &period)
		}
	}
	if r.PidsLimit > 0 {
		out.Pids = &cgroup2.Pids{Max: r.PidsLimit}
	}
	// containerd compiles these into an eBPF program (as runc does) and
	// attaches it to the cgroup.
	out.Devices = complete(r.Devices)
	return &out
}
