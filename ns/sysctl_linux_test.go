package ns

import (
	"os"
	"strings"
	"testing"
)

// TestSysctls: a namespaced sysctl is written in the container's own
// namespace; a key that would leave /proc/sys's tree ("..", a slash), to
// reach a host-wide file such as kernel/core_pattern (whose pipe runs a
// host program as root), is refused by init even if a caller let it pass.
func TestSysctls(t *testing.T) {
	cfg := newConfig(t, "cat", "/proc/sys/net/ipv4/ip_unprivileged_port_start", "/proc/sys/kernel/shmmni")
	cfg.Network = "none"
	cfg.Sysctls = map[string]string{"net.ipv4.ip_unprivileged_port_start": "77", "kernel.shmmni": "999"}
	if got := run(t, cfg); got.Stdout != "77\n999\n" || got.Err != nil {
		t.Errorf("inside: %+v", got)
	}
	before, err := os.ReadFile("/proc/sys/kernel/core_pattern")
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"net/../kernel/core_pattern", "net.ipv4..", "net.ipv4/../../kernel.core_pattern"} {
		cfg := newConfig(t, "true")
		cfg.Network = "none"
		cfg.Sysctls = map[string]string{key: "|/bin/false"}
		got := run(t, cfg)
		if got.Err == nil || !strings.Contains(got.Err.Message, "unsafe") {
			t.Errorf("sysctl %q: want refused as unsafe, got %+v", key, got)
		}
	}
	if after, _ := os.ReadFile("/proc/sys/kernel/core_pattern"); string(after) != string(before) {
		t.Fatalf("kernel.core_pattern changed to %q (was %q)", after, before)
	}
}
