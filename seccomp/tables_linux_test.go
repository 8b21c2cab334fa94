package seccomp

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/elastic/go-seccomp-bpf/arch"
	"github.com/google/go-cmp/cmp"
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
			if tc.abi == abiAARCH64 {
				checkXSys(t, tc.abi, "arm64")
				return
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

// checkXSys compares a table with golang.org/x/sys/unix's, which is made
// from the kernel's headers: arm64's comes from there, as go-seccomp-bpf's
// names 79 "fstatat" (the kernel and Docker's profiles: "newfstatat", so
// every stat(2) was refused) and lists 32-bit *_time64 calls arm64 lacks.
func checkXSys(t *testing.T, a *abi, goarch string) {
	t.Helper()
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "golang.org/x/sys").Output()
	if err != nil {
		t.Fatalf("find golang.org/x/sys: %v", err)
	}
	src, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(dir)), "unix", "zsysnum_linux_"+goarch+".go"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]uint32{}
	for _, m := range regexp.MustCompile(`(?m)^\s*SYS_(\w+)\s*=\s*(\d+)$`).FindAllStringSubmatch(string(src), -1) {
		nr, _ := strconv.Atoi(m[2])
		want[strings.ToLower(m[1])] = uint32(nr)
	}
	got := map[string]uint32{}
	for _, s := range a.table {
		got[s.name] = s.nr
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s table against golang.org/x/sys (-want +got):\n%s (hint: go generate ./seccomp)", goarch, diff)
	}
}
