package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"pocket/cgroup"
	"pocket/run"
)

// resourceFlags are run's I/O, CPU, memory, /dev/shm, sysctl and namespace
// flags, with Docker's names and grammar.
func resourceFlags() []cli.Flag {
	return []cli.Flag{
		&cli.UintFlag{Name: "blkio-weight", Usage: "block I/O weight, relative (10 to 1000, 0 to disable)"},
		&cli.StringSliceFlag{Name: "blkio-weight-device", Usage: "block I/O weight for a device (DEVICE:WEIGHT)"},
		&cli.StringSliceFlag{Name: "device-read-bps", Usage: "limit read rate from a device (DEVICE:RATE, e.g. /dev/sda:1mb)"},
		&cli.StringSliceFlag{Name: "device-write-bps", Usage: "limit write rate to a device (DEVICE:RATE)"},
		&cli.StringSliceFlag{Name: "device-read-iops", Usage: "limit read rate from a device, in I/O per second (DEVICE:N)"},
		&cli.StringSliceFlag{Name: "device-write-iops", Usage: "limit write rate to a device, in I/O per second (DEVICE:N)"},
		&cli.Int64Flag{Name: "cpu-period", Usage: "limit CPU CFS period (µs)"},
		&cli.Int64Flag{Name: "cpu-quota", Usage: "limit CPU CFS quota (µs per period)"},
		&cli.Int64Flag{Name: "cpu-rt-period", Usage: "limit CPU real-time period (µs; cgroup v1 with CONFIG_RT_GROUP_SCHED only)"},
		&cli.Int64Flag{Name: "cpu-rt-runtime", Usage: "limit CPU real-time runtime (µs; cgroup v1 with CONFIG_RT_GROUP_SCHED only)"},
		&cli.StringFlag{Name: "cpuset-cpus", Usage: "CPUs in which to allow execution (0-3, 0,1)"},
		&cli.StringFlag{Name: "cpuset-mems", Usage: "memory nodes in which to allow execution (0-3, 0,1)"},
		&cli.StringFlag{Name: "memory-reservation", Usage: "memory soft limit"},
		&cli.Int64Flag{Name: "memory-swappiness", Value: -1, Usage: "tune container memory swappiness (0 to 100; cgroup v1 only)"},
		&cli.StringFlag{Name: "kernel-memory", Usage: "kernel memory limit (deprecated, not applied)"},
		&cli.BoolFlag{Name: "oom-kill-disable", Usage: "disable OOM killer (cgroup v1 only)"},
		&cli.IntFlag{Name: "oom-score-adj", Usage: "tune host's OOM preferences (-1000 to 1000)"},
		&cli.StringFlag{Name: "shm-size", Usage: "size of /dev/shm (default 64m)"},
		&cli.StringSliceFlag{Name: "sysctl", Usage: "namespaced kernel parameter KEY=VALUE (kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*, net.*)"},
		&cli.StringFlag{Name: "pid", Usage: "PID namespace to use: host or container:NAME"},
		&cli.StringFlag{Name: "ipc", Usage: "IPC mode: private (default), shareable, none, host or container:NAME"},
		&cli.StringFlag{Name: "uts", Usage: "UTS namespace to use: host"},
		&cli.StringFlag{Name: "userns", Usage: "user namespace to use: host (as root, the only one pocket has)"},
		&cli.StringFlag{Name: "cgroupns", Usage: "cgroup namespace to use: host or private (default: private on cgroup v2, host on v1)"},
	}
}

// resourceOptions reads resourceFlags into o; sizes are read here as
// Docker's CLI reads them, the rest by plan.Parse.
func resourceOptions(c *cli.Context, o *run.Options) error {
	r := &o.Resources
	if w := c.Uint("blkio-weight"); w > 0xffff {
		return fmt.Errorf("invalid argument \"%d\" for \"--blkio-weight\" flag: value out of range", w)
	} else {
		r.BlkioWeight = uint16(w)
	}
	r.CPUPeriod, r.CPUQuota = c.Int64("cpu-period"), c.Int64("cpu-quota")
	r.CPURealtimePeriod, r.CPURealtimeRuntime = c.Int64("cpu-rt-period"), c.Int64("cpu-rt-runtime")
	r.CpusetCpus, r.CpusetMems = c.String("cpuset-cpus"), c.String("cpuset-mems")
	r.OomKillDisable = c.Bool("oom-kill-disable")
	if c.IsSet("memory-swappiness") {
		sw := c.Int64("memory-swappiness")
		r.MemorySwappiness = &sw
	}
	for _, f := range []struct {
		name string
		dst  *int64
	}{{"memory-reservation", &r.MemoryReservation}, {"kernel-memory", &r.KernelMemory}} {
		if v := c.String(f.name); v != "" {
			n, err := cgroup.ParseSize(v)
			if err != nil {
				return fmt.Errorf("invalid argument %q for \"--%s\" flag: %w", v, f.name, err)
			}
			*f.dst = n
		}
	}
	o.BlkioWeightDevice = c.StringSlice("blkio-weight-device")
	o.DeviceReadBps, o.DeviceWriteBps = c.StringSlice("device-read-bps"), c.StringSlice("device-write-bps")
	o.DeviceReadIOps, o.DeviceWriteIOps = c.StringSlice("device-read-iops"), c.StringSlice("device-write-iops")
	o.ShmSize, o.Sysctls, o.OomScoreAdj = c.String("shm-size"), c.StringSlice("sysctl"), c.Int("oom-score-adj")
	o.PidMode, o.IpcMode, o.UTSMode = c.String("pid"), c.String("ipc"), c.String("uts")
	o.UsernsMode, o.CgroupnsMode = c.String("userns"), c.String("cgroupns")
	return nil
}
