package cgroup

import (
	"errors"
	"runtime"
	"testing"

	"github.com/containerd/cgroups/v3/cgroup2"
	"github.com/google/go-cmp/cmp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func ptr[T any](v T) *T { return &v }

const mib = 1024 * 1024

// TestTranslate checks Docker's flag semantics as pure data, for both
// hierarchies: this host cannot run v2 controllers.
func TestTranslate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		r      Resources
		swap   bool // host accounts swap (memsw / memory.swap.max exists)
		wantV1 *specs.LinuxResources
		wantV2 *cgroup2.Resources
	}{{
		name:   "none",
		wantV1: &specs.LinuxResources{},
		wantV2: &cgroup2.Resources{},
	}, {
		name:   "memory with implicit swap equal to memory",
		r:      Resources{Memory: 64 * mib},
		swap:   true,
		wantV1: &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](64 * mib), Swap: ptr[int64](128 * mib)}},
		wantV2: &cgroup2.Resources{Memory: &cgroup2.Memory{Max: ptr[int64](64 * mib), Swap: ptr[int64](64 * mib)}},
	}, {
		name:   "memory without swap accounting leaves the implicit default out",
		r:      Resources{Memory: 64 * mib},
		wantV1: &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](64 * mib)}},
		wantV2: &cgroup2.Resources{Memory: &cgroup2.Memory{Max: ptr[int64](64 * mib)}},
	}, {
		name:   "memory-swap is memory plus swap",
		r:      Resources{Memory: 64 * mib, MemorySwap: 100 * mib},
		swap:   true,
		wantV1: &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](64 * mib), Swap: ptr[int64](100 * mib)}},
		wantV2: &cgroup2.Resources{Memory: &cgroup2.Memory{Max: ptr[int64](64 * mib), Swap: ptr[int64](36 * mib)}},
	}, {
		name:   "memory-swap equal to memory means no swap",
		r:      Resources{Memory: 64 * mib, MemorySwap: 64 * mib},
		swap:   true,
		wantV1: &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](64 * mib), Swap: ptr[int64](64 * mib)}},
		wantV2: &cgroup2.Resources{Memory: &cgroup2.Memory{Max: ptr[int64](64 * mib), Swap: ptr[int64](0)}},
	}, {
		name:   "memory-swap -1 is unlimited, the fresh cgroup's default",
		r:      Resources{Memory: 64 * mib, MemorySwap: -1},
		swap:   true,
		wantV1: &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](64 * mib)}},
		wantV2: &cgroup2.Resources{Memory: &cgroup2.Memory{Max: ptr[int64](64 * mib)}},
	}, {
		name:   "cpus",
		r:      Resources{CPUs: 1.5},
		wantV1: &specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptr[int64](150000), Period: ptr[uint64](100000)}},
		wantV2: &cgroup2.Resources{CPU: &cgroup2.CPU{Max: "150000 100000"}},
	}, {
		name:   "cpu-shares default 1024 is weight 100",
		r:      Resources{CPUShares: 1024},
		wantV1: &specs.LinuxResources{CPU: &specs.LinuxCPU{Shares: ptr[uint64](1024)}},
		wantV2: &cgroup2.Resources{CPU: &cgroup2.CPU{Weight: ptr[uint64](100)}},
	}, {
		name:   "cpu-shares 2 is the minimum weight",
		r:      Resources{CPUShares: 2, CPUs: 0.5},
		wantV1: &specs.LinuxResources{CPU: &specs.LinuxCPU{Shares: ptr[uint64](2), Quota: ptr[int64](50000), Period: ptr[uint64](100000)}},
		wantV2: &cgroup2.Resources{CPU: &cgroup2.CPU{Weight: ptr[uint64](1), Max: "50000 100000"}},
	}, {
		name:   "pids-limit",
		r:      Resources{PidsLimit: 10},
		wantV1: &specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr[int64](10)}},
		wantV2: &cgroup2.Resources{Pids: &cgroup2.Pids{Max: 10}},
	}, {
		name:   "pids-limit -1 is unlimited, the fresh cgroup's default",
		r:      Resources{PidsLimit: -1},
		wantV1: &specs.LinuxResources{},
		wantV2: &cgroup2.Resources{},
	}, {
		name:   "cpu-period and cpu-quota",
		r:      Resources{CPUPeriod: 50000, CPUQuota: 25000},
		wantV1: &specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptr[int64](25000), Period: ptr[uint64](50000)}},
		wantV2: &cgroup2.Resources{CPU: &cgroup2.CPU{Max: "25000 50000"}},
	}, {
		name:   "cpu-quota alone keeps the kernel's period",
		r:      Resources{CPUQuota: 25000},
		wantV1: &specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptr[int64](25000)}},
		wantV2: &cgroup2.Resources{CPU: &cgroup2.CPU{Max: "25000 100000"}},
	}, {
		name:   "cpuset",
		r:      Resources{CpusetCpus: "0", CpusetMems: "0"},
		wantV1: &specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "0", Mems: "0"}},
		wantV2: &cgroup2.Resources{CPU: &cgroup2.CPU{Cpus: "0", Mems: "0"}},
	}, {
		name: "memory reservation, swappiness and oom-kill-disable (v1 only; plan drops the last two on v2)",
		r:    Resources{MemoryReservation: 16 * mib, MemorySwappiness: ptr[int64](10), OomKillDisable: true},
		wantV1: &specs.LinuxResources{Memory: &specs.LinuxMemory{Reservation: ptr[int64](16 * mib), Swappiness: ptr[uint64](10),
			DisableOOMKiller: ptr(true)}},
		wantV2: &cgroup2.Resources{Memory: &cgroup2.Memory{Low: ptr[int64](16 * mib)}},
	}, {
		name: "throttles",
		r: Resources{BlkioDeviceWriteBps: []ThrottleDevice{{Path: "/dev/loop0", Major: 7, Minor: 0, Rate: mib}},
			BlkioDeviceReadIOps: []ThrottleDevice{{Path: "/dev/loop0", Major: 7, Minor: 0, Rate: 100}}},
		wantV1: &specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{
			ThrottleWriteBpsDevice: []specs.LinuxThrottleDevice{throttle(7, 0, mib)},
			ThrottleReadIOPSDevice: []specs.LinuxThrottleDevice{throttle(7, 0, 100)}}},
		wantV2: &cgroup2.Resources{IO: &cgroup2.IO{Max: []cgroup2.Entry{
			{Type: cgroup2.WriteBPS, Major: 7, Minor: 0, Rate: mib}, {Type: cgroup2.ReadIOPS, Major: 7, Minor: 0, Rate: 100}}}},
	}, {
		// The runtime-spec's defaults (type all, any major and minor) are
		// spelled out for containerd's eBPF compiler, which needs them.
		name:   "device rules",
		r:      Resources{Devices: []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}, rule(true, "c", 1, 3, "rwm")}},
		wantV1: &specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}, rule(true, "c", 1, 3, "rwm")}},
		wantV2: &cgroup2.Resources{Devices: []specs.LinuxDeviceCgroup{rule(false, "a", wildcard, wildcard, "rwm"), rule(true, "c", 1, 3, "rwm")}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.r.Validate(); err != nil {
				t.Fatalf("validate: %v", err)
			}
			if diff := cmp.Diff(tc.wantV1, tc.r.spec(tc.swap)); diff != "" {
				t.Errorf("v1 spec (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantV2, tc.r.v2(tc.swap)); diff != "" {
				t.Errorf("v2 resources (-want +got):\n%s", diff)
			}
		})
	}
}

func throttle(major, minor int64, rate uint64) specs.LinuxThrottleDevice {
	t := specs.LinuxThrottleDevice{Rate: rate}
	t.Major, t.Minor = major, minor
	return t
}

// TestIOWeight is runc's blkio weight to io.weight conversion.
func TestIOWeight(t *testing.T) {
	for w, want := range map[uint16]uint64{10: 1, 500: 4950, 1000: 10000, 300: 2930} {
		if got := ioWeight(w); got != want {
			t.Errorf("ioWeight(%d) = %d, want %d", w, got, want)
		}
	}
}

// TestRefused checks what Docker refuses is refused before any cgroup is
// made, naming the flag.
func TestRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    Resources
		want string
	}{
		{"memory below 6MB", Resources{Memory: 4 * mib}, "--memory: invalid value: minimum memory limit allowed is 6MB"},
		{"negative memory", Resources{Memory: -5}, "--memory: invalid value: must not be negative"},
		{"swap without memory", Resources{MemorySwap: 64 * mib}, "--memory-swap: invalid value: you should always set the memory limit when using memoryswap limit (hint: add -m)"},
		{"swap below memory", Resources{Memory: 64 * mib, MemorySwap: 32 * mib}, "--memory-swap: invalid value: minimum memoryswap limit should be larger than memory limit"},
		{"swap below -1", Resources{Memory: 64 * mib, MemorySwap: -2}, "--memory-swap: invalid value: must be -1 (unlimited) or a size"},
		{"negative cpus", Resources{CPUs: -1}, "--cpus: invalid value: must not be negative"},
		{"more cpus than the host", Resources{CPUs: float64(runtime.NumCPU() + 1)}, "--cpus: invalid value: range of CPUs is from 0.01"},
		{"tiny cpus", Resources{CPUs: 0.001}, "--cpus: invalid value: range of CPUs is from 0.01"},
		{"reservation below 6MB", Resources{MemoryReservation: mib}, "--memory-reservation: invalid value: Minimum memory reservation allowed is 6MB"},
		{"reservation above memory", Resources{Memory: 32 * mib, MemoryReservation: 64 * mib}, "--memory-reservation: invalid value: Minimum memory limit can not be less than memory reservation limit, see usage"},
		{"swappiness", Resources{MemorySwappiness: ptr[int64](101)}, "--memory-swappiness: invalid value: Invalid value: 101, valid memory swappiness range is 0-100"},
		{"cpus and cpu-period", Resources{CPUs: 1, CPUPeriod: 50000}, "--cpu-period: invalid value: Conflicting options: Nano CPUs and CPU Period cannot both be set"},
		{"cpus and cpu-quota", Resources{CPUs: 1, CPUQuota: 50000}, "--cpu-quota: invalid value: Conflicting options: Nano CPUs and CPU Quota cannot both be set"},
		{"cpu-period too small", Resources{CPUPeriod: 999}, "--cpu-period: invalid value: CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)"},
		{"cpu-quota too small", Resources{CPUQuota: 999}, "--cpu-quota: invalid value: CPU cfs quota can not be less than 1ms (i.e. 1000)"},
		{"rt runtime above period", Resources{CPURealtimePeriod: 1000, CPURealtimeRuntime: 2000}, "--cpu-rt-runtime: invalid value: cpu-rt-runtime cannot be higher than cpu-rt-period"},
		{"blkio weight", Resources{BlkioWeight: 5}, "--blkio-weight: invalid value: Range of blkio weight is from 10 to 1000"},
		{"cpuset syntax", Resources{CpusetCpus: "0-"}, "--cpuset-cpus: invalid value: Invalid value 0- for cpuset cpus"},
		{"cpuset beyond the host", Resources{CpusetCpus: "4096"}, "--cpuset-cpus: invalid value: Requested CPUs are not available - requested 4096, available: "},
		{"cpuset mems beyond the host", Resources{CpusetMems: "0-300"}, "--cpuset-mems: invalid value: Requested memory nodes are not available - requested 0-300, available: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New("pocket-test", "refused", tc.r)
			if err == nil {
				c.Delete()
				t.Fatal("New succeeded")
			}
			if !errors.Is(err, ErrInvalidLimit) {
				t.Errorf("error %q does not wrap ErrInvalidLimit", err)
			}
			if got := err.Error(); len(got) < len(tc.want) || got[:len(tc.want)] != tc.want {
				t.Errorf("error = %q, want prefix %q", got, tc.want)
			}
		})
	}
	for _, id := range []string{"", "..", "a/b"} {
		if _, err := New("", id, Resources{}); !errors.Is(err, ErrInvalidLimit) {
			t.Errorf("New(id %q) = %v, want ErrInvalidLimit", id, err)
		}
	}
}
