package seccomp

import (
	"slices"
	"strings"
	"testing"

	"github.com/elastic/go-seccomp-bpf/arch"
)

// TestTables: zsyscalls_linux.go is what go generate makes of go-seccomp-bpf's
// tables (run `go generate ./seccomp` after updating it).
func TestTables(t *testing.T) {
	for _, tc := range []struct {
		abi  *abi
		info *arch.Info
	}{
		{abiX86_64, arch.X86_64}, {abiX32, arch.X32}, {abiI386, arch.I386},
		{abiAARCH64, arch.AARCH64}, {abiARM, arch.ARM},
	} {
		t.Run(string(tc.abi.name), func(t *testing.T) {
			if !slices.IsSortedFunc(tc.abi.table, func(x, y syscallNr) int { return strings.Compare(x.name, y.name) }) {
				t.Error("the table is not sorted by name")
			}
			names := map[string]bool{}
			for _, s := range tc.abi.table {
				names[s.name] = true
				if got := tc.info.SyscallNumbers[int(s.nr)]; got != s.name {
					t.Errorf("%s is %d here, go-seccomp-bpf has %q there", s.name, s.nr, got)
				}
			}
			for _, name := range tc.info.SyscallNumbers {
				if !names[name] {
					t.Errorf("go-seccomp-bpf knows %s, the table does not (hint: go generate ./seccomp)", name)
				}
			}
		})
	}
	// The x32 numbers of syscalls the x32 ABI calls by its own.
	for name, want := range map[string]uint32{"rt_sigaction": 512, "execve": 520, "read": 0} {
		if got, _ := abiX32.lookup(name); got != x32Bit|want {
			t.Errorf("x32 %s = %#x, want %#x", name, got, x32Bit|want)
		}
	}
}
