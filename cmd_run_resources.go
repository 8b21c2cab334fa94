package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"pocket/cgroup"
	"pocket/run"
)

// resourceFlags are run's cgroup limits (limitFlags, which update shares),
// I/O, CPU, memory, /dev/shm, sysctl and namespace flags, with Docker's
// names and grammar.
func resourceFlags() []cli.Flag {
	return append(limitFlags(), []cli.Flag{
		&cli.StringSliceFlag{Name: "blkio-weight-device", Usage: "block I/O weight for a device (DEVICE:WEIGHT)"},
		&cli.StringSliceFlag{Name: "device-read-bps", Usage: "limit read rate from a device (DEVICE:RATE, e.g. /dev/sda:1mb)"},
		&cli.StringSliceFlag{Name: "device-write-bps", Usage: "limit write rate to a device (DEVICE:RATE)"},
		&cli.StringSliceFlag{Name: "device-read-iops", Usage: "limit read rate from a device, in I/O per second (DEVICE:N)"},
		&cli.StringSliceFlag{Name: "device-write-iops", Usage: "limit write rate to a device, in I/O per second (DEVICE:N)"},
		&cli.Int64Flag{Name: "cpu-rt-period", Usage: "limit CPU real-time period (µs; cgroup v1 with CONFIG_RT_GROUP_SCHED only)"},
		&cli.Int64Flag{Name: "cpu-rt-runtime", Usage: "limit CPU real-time runtime (µs; cgroup v1 with CONFIG_RT_GROUP_SCHED only)"},
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
	}...)
}

// limitFlags are the cgroup limits run and create take and update
// changes on a container (Docker's update flags, but --restart): each is
// defined, and read (limitOptions), once.
func limitFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "memory", Aliases: []string{"m"}, Usage: "memory limit (e.g. 512m)"},
		&cli.StringFlag{Name: "memory-swap", Usage: "memory plus swap limit; -1 for unlimited swap"},
		&cli.StringFlag{Name: "cpus", Usage: "number of CPUs (e.g. 1.5)"},
		&cli.Uint64Flag{Name: "cpu-shares", Aliases: []string{"c"}, Usage: "CPU shares (relative weight)"},
		&cli.Int64Flag{Name: "cpu-period", Usage: "limit CPU CFS period (µs)"},
		&cli.Int64Flag{Name: "cpu-quota", Usage: "limit CPU CFS quota (µs per period)"},
		&cli.StringFlag{Name: "cpuset-cpus", Usage: "CPUs in which to allow execution (0-3, 0,1)"},
		&cli.StringFlag{Name: "cpuset-mems", Usage: "memory nodes in which to allow execution (0-3, 0,1)"},
		&cli.Int64Flag{Name: "pids-limit", Usage: "process limit (-1 for unlimited)"},
		&cli.UintFlag{Name: "blkio-weight", Usage: "block I/O weight, relative (10 to 1000, 0 to disable)"},
	}
}

// limitOptions reads the limitFlags given (given(name)) in Docker's
// grammar; one not given stays nil.
func limitOptions(c *cli.Context, given func(name string) bool) (run.UpdateOptions, error) {
	var u run.UpdateOptions
	size := func(name, flag string) (*int64, error) {
		if !given(name) {
			return nil, nil
		}
		v := c.String(name)
		if v == "-1" && name == "memory-swap" {
			n := int64(-1)
			return &n, nil
		}
		n, err := cgroup.ParseSize(v)
		if err != nil {
			return nil, fmt.Errorf("invalid argument %q for %q flag: %w", v, flag, err)
		}
		return &n, nil
	}
	var err error
	if given("cpus") {
		v := c.String("cpus")
		n, err := cgroup.ParseCPUs(v)
		if err != nil {
			return u, fmt.Errorf("invalid argument %q for \"--cpus\" flag: %w", v, err)
		}
		u.CPUs = &n
	}
	if u.Memory, err = size("memory", "-m, --memory"); err != nil {
		return u, err
	}
	if given("blkio-weight") {
		w := c.Uint("blkio-weight")
		if w > 0xffff {
			return u, fmt.Errorf("invalid argument \"%d\" for \"--blkio-weight\" flag: value out of range", w)
		}
		v := uint16(w)
		u.BlkioWeight = &v
	}
	if u.MemorySwap, err = size("memory-swap", "--memory-swap"); err != nil {
		return u, err
	}
	if given("cpu-shares") {
		n := c.Uint64("cpu-shares")
		u.CPUShares = &n
	}
	for name, dst := range map[string]**int64{"cpu-period": &u.CPUPeriod, "cpu-quota": &u.CPUQuota, "pids-limit": &u.PidsLimit} {
		if given(name) {
			n := c.Int64(name)
			*dst = &n
		}
	}
	for name, dst := range map[string]**string{"cpuset-cpus": &u.CpusetCpus, "cpuset-mems": &u.CpusetMems} {
		if given(name) {
			v := c.String(name)
			*dst = &v
		}
	}
	return u, nil
}

// resourceOptions reads resourceFlags into o; sizes are read here as
// Docker's CLI reads them, the rest by plan.Parse.
func resourceOptions(c *cli.Context, o *run.Options) error {
	r := &o.Resources
	// An empty value (-m "") is no limit, as run has always read it.
	limits, err := limitOptions(c, func(name string) bool { return c.IsSet(name) && c.String(name) != "" })
	if err != nil {
		return err
	}
	limits.Apply(r)
	r.CPURealtimePeriod, r.CPURealtimeRuntime = c.Int64("cpu-rt-period"), c.Int64("cpu-rt-runtime")
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
