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
