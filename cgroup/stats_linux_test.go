package cgroup

import "testing"

// TestNoCache is Docker CLI's calculateMemUsageUnixNoCache: the inactive
// file cache is not the container's usage.
func TestNoCache(t *testing.T) {
	for _, tc := range []struct{ usage, inactive, want uint64 }{
		{100, 30, 70},
		{100, 0, 100},
		{100, 200, 100}, // a stale counter never makes usage wrap
	} {
		if got := noCache(tc.usage, tc.inactive); got != tc.want {
			t.Errorf("noCache(%d, %d) = %d, want %d", tc.usage, tc.inactive, got, tc.want)
		}
	}
}

func TestSystemCPU(t *testing.T) {
	total, online, err := SystemCPU()
	if err != nil || total == 0 || online < 1 {
		t.Errorf("SystemCPU() = %d, %d, %v", total, online, err)
	}
}
