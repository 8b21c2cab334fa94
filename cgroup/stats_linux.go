package cgroup

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/containerd/cgroups/v3/cgroup1"
	"github.com/containerd/cgroups/v3/cgroup2"
	"golang.org/x/sys/unix"
)

// unlimited is what v1 reports for no memory limit (PAGE_COUNTER_MAX
// pages, rounded); anything this large is no limit.
const unlimited = 1 << 62

// Stats reads one sample of the cgroup's counters. A controller that is
// missing (rootless v2 without it delegated) reads as zeros.
func (c *Cgroup) Stats() (Stats, error) {
	var s Stats
	if c.v2 != nil {
		// Only what stats shows: hugetlb and rdma files differ by
		// architecture and kernel, and are not worth a failed sample.
		m, err := c.v2.StatFiltered(cgroup2.StatPids | cgroup2.StatCPU | cgroup2.StatMemory | cgroup2.StatIO)
		if err != nil {
			return s, fmt.Errorf("read cgroup %s: %w", c.group, err)
		}
		s.CPU = m.GetCPU().GetUsageUsec() * 1000
		mem := m.GetMemory()
		s.Memory = noCache(mem.GetUsage(), mem.GetInactiveFile())
		s.MemoryLimit = mem.GetUsageLimit()
		for _, e := range m.GetIo().GetUsage() {
			s.BlockRead += e.GetRbytes()
			s.BlockWrite += e.GetWbytes()
		}
		s.Pids = m.GetPids().GetCurrent()
	} else {
		m, err := c.v1.Stat(cgroup1.IgnoreNotExist)
		if err != nil {
			return s, fmt.Errorf("read cgroup %s: %w", c.group, err)
		}
		s.CPU = m.GetCPU().GetUsage().GetTotal()
		mem := m.GetMemory()
		s.Memory = noCache(mem.GetUsage().GetUsage(), mem.GetTotalInactiveFile())
		s.MemoryLimit = mem.GetUsage().GetLimit()
		for _, e := range m.GetBlkio().GetIoServiceBytesRecursive() {
			switch strings.ToLower(e.GetOp()) {
			case "read":
				s.BlockRead += e.GetValue()
			case "write":
				s.BlockWrite += e.GetValue()
			}
		}
		s.Pids = m.GetPids().GetCurrent()
	}
	if s.MemoryLimit >= unlimited {
		s.MemoryLimit = 0
	}
	return s, nil
}

// noCache is Docker CLI's calculateMemUsageUnixNoCache.
func noCache(usage, inactiveFile uint64) uint64 {
	if inactiveFile < usage {
		return usage - inactiveFile
	}
	return usage
}

// clockTicks is USER_HZ, the unit of /proc/stat: 100 on every Linux
// architecture pocket builds for.
const clockTicks = 100

// SystemCPU is the host's CPU time in nanoseconds since boot (the "cpu"
// line of /proc/stat, as Docker's daemon reads it for system_cpu_usage)
// and the number of online CPUs.
func SystemCPU() (total uint64, online int, err error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || f[0] != "cpu" {
			continue
		}
		var ticks uint64
		for _, v := range f[1:8] {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return 0, 0, fmt.Errorf("/proc/stat: %w", err)
			}
			ticks += n
		}
		total = ticks * (1e9 / clockTicks)
		break
	}
	if total == 0 {
		return 0, 0, errors.New("/proc/stat: no cpu line")
	}
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err == nil {
		online = set.Count()
	}
	if n, err := onlineCPUs(); err == nil && n > 0 {
		online = n
	}
	return total, online, nil
}

// onlineCPUs counts /sys/devices/system/cpu/online ("0-3,5").
func onlineCPUs() (int, error) {
	data, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range strings.Split(strings.TrimSpace(string(data)), ",") {
		lo, hi, ok := strings.Cut(r, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return 0, err
		}
		b := a
		if ok {
			if b, err = strconv.Atoi(hi); err != nil {
				return 0, err
			}
		}
		n += b - a + 1
	}
	return n, nil
}

// MemTotal is the host's memory, the limit Docker shows for a container
// without one.
func MemTotal() uint64 {
	var si unix.Sysinfo_t
	if err := unix.Sysinfo(&si); err != nil {
		return 0
	}
	return uint64(si.Totalram) * uint64(si.Unit)
}
