package seccomp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// dockerCaps are Docker's default capabilities (ns.DefaultCaps).
var dockerCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// call is one syscall as the kernel hands it to the filter.
type call struct {
	arch uint32
	nr   uint32
	args []uint64
}

// run evaluates f on c in x/net/bpf's interpreter and returns the
// SECCOMP_RET_* value. The interpreter loads words big-endian where the
// kernel loads them in the machine's order, so seccomp_data is laid out
// word by word: each 64-bit argument's low half first, as on the
// little-endian machines pocket builds for.
func run(t *testing.T, f *Filter, c call) uint32 {
	t.Helper()
	prog, ok := bpf.Disassemble(f.Program)
	if !ok {
		t.Fatal("the program does not disassemble")
	}
	vm, err := bpf.NewVM(prog)
	if err != nil {
		t.Fatalf("the interpreter refuses the program: %v", err)
	}
	in := make([]byte, 64)
	binary.BigEndian.PutUint32(in[offNr:], c.nr)
	binary.BigEndian.PutUint32(in[offArch:], c.arch)
	for i, a := range c.args {
		binary.BigEndian.PutUint32(in[offArgs+8*i:], uint32(a))
		binary.BigEndian.PutUint32(in[offArgs+8*i+4:], uint32(a>>32))
	}
	ret, err := vm.Run(in)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return uint32(ret)
}

const (
	allow    = unix.SECCOMP_RET_ALLOW
	kill     = unix.SECCOMP_RET_KILL_PROCESS
	eperm    = unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)
	enosys   = unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)
	auditX64 = unix.AUDIT_ARCH_X86_64
	auditX86 = unix.AUDIT_ARCH_I386
	auditA64 = unix.AUDIT_ARCH_AARCH64
	auditARM = unix.AUDIT_ARCH_ARM
)

func retName(r uint32) string {
	switch {
	case r == allow:
		return "allow"
	case r == kill:
		return "kill-process"
	case r&unix.SECCOMP_RET_ACTION_FULL == unix.SECCOMP_RET_ERRNO:
		return unix.ErrnoName(unix.Errno(r & unix.SECCOMP_RET_DATA))
	}
	return fmt.Sprintf("%#x", r)
}

func mustCompile(t *testing.T, p *specs.LinuxSeccomp, goarch string) *Filter {
	t.Helper()
	f, err := compile(p, goarch)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func defaultFilter(t *testing.T, goarch string, caps ...string) *Filter {
	t.Helper()
	p, err := Default(append(append([]string{}, dockerCaps...), caps...))
	if err != nil {
		t.Fatal(err)
	}
	// The profile resolves arches for the machine running the test.
	p.Architectures = natives[goarch].native.archList()
	return mustCompile(t, p, goarch)
}

// archList is the native arch and its compat ones, as moby's archMap
// gives them.
func (a *abi) archList() []specs.Arch {
	for _, n := range natives {
		if n.native == a {
			l := []specs.Arch{a.name}
			for _, c := range n.compat {
				l = append(l, c.name)
			}
			return l
		}
	}
	return nil
}

// nrOf is a syscall's number in an ABI, for readable tables.
func nrOf(t *testing.T, a *abi, name string) uint32 {
	t.Helper()
	nr, ok := a.lookup(name)
	if !ok {
		t.Fatalf("%s has no syscall %s", a.name, name)
	}
	return nr
}

func TestDefaultProfileAMD64(t *testing.T) {
	f := defaultFilter(t, "amd64")
	x := func(name string) uint32 { return nrOf(t, abiX86_64, name) }
	x32 := func(name string) uint32 { return nrOf(t, abiX32, name) }
	i386 := func(name string) uint32 { return nrOf(t, abiI386, name) }
	for _, tc := range []struct {
		name string
		c    call
		want uint32
	}{
		{"read", call{auditX64, x("read"), nil}, allow},
		{"mkdir", call{auditX64, x("mkdir"), nil}, allow},
		{"execve", call{auditX64, x("execve"), nil}, allow},
		{"setuid", call{auditX64, x("setuid"), nil}, allow},
		{"keyctl", call{auditX64, x("keyctl"), nil}, eperm},
		{"add_key", call{auditX64, x("add_key"), nil}, eperm},
		{"request_key", call{auditX64, x("request_key"), nil}, eperm},
		{"perf_event_open", call{auditX64, x("perf_event_open"), nil}, eperm},
		{"unshare", call{auditX64, x("unshare"), []uint64{unix.CLONE_NEWUSER}}, eperm},
		{"mount", call{auditX64, x("mount"), nil}, eperm},
		{"bpf", call{auditX64, x("bpf"), nil}, eperm},
		{"kcmp", call{auditX64, x("kcmp"), nil}, eperm},
		{"reboot", call{auditX64, x("reboot"), nil}, eperm},
		{"chroot with CAP_SYS_CHROOT", call{auditX64, x("chroot"), nil}, allow},
		// Docker answers clone3 with ENOSYS so that libc falls back to
		// clone, whose flags the filter can see.
		{"clone3", call{auditX64, x("clone3"), nil}, enosys},
		{"clone thread", call{auditX64, x("clone"), []uint64{unix.CLONE_VM | unix.CLONE_FS | unix.CLONE_FILES | unix.CLONE_SIGHAND | unix.CLONE_THREAD}}, allow},
		{"clone fork", call{auditX64, x("clone"), []uint64{uint64(unix.SIGCHLD)}}, allow},
		{"clone CLONE_NEWUSER", call{auditX64, x("clone"), []uint64{unix.CLONE_NEWUSER | uint64(unix.SIGCHLD)}}, eperm},
		{"clone CLONE_NEWNS", call{auditX64, x("clone"), []uint64{unix.CLONE_NEWNS}}, eperm},
		{"clone CLONE_NEWCGROUP", call{auditX64, x("clone"), []uint64{unix.CLONE_NEWCGROUP}}, eperm},
		{"socket AF_INET", call{auditX64, x("socket"), []uint64{unix.AF_INET, unix.SOCK_STREAM}}, allow},
		{"socket AF_UNIX", call{auditX64, x("socket"), []uint64{unix.AF_UNIX}}, allow},
		{"socket AF_NETLINK", call{auditX64, x("socket"), []uint64{unix.AF_NETLINK}}, allow},
		{"socket AF_VSOCK", call{auditX64, x("socket"), []uint64{unix.AF_VSOCK}}, eperm},
		{"socket AF_VSOCK with high bits", call{auditX64, x("socket"), []uint64{1<<32 | unix.AF_VSOCK}}, eperm},
		{"socket AF_ALG", call{auditX64, x("socket"), []uint64{unix.AF_ALG}}, eperm},
		{"personality PER_LINUX", call{auditX64, x("personality"), []uint64{0}}, allow},
		{"personality PER_LINUX32", call{auditX64, x("personality"), []uint64{0x8}}, allow},
		{"personality query", call{auditX64, x("personality"), []uint64{0xffffffff}}, allow},
		{"personality ADDR_NO_RANDOMIZE", call{auditX64, x("personality"), []uint64{0x0040000}}, eperm}, // ADDR_NO_RANDOMIZE,
		{"personality 0 with high bits", call{auditX64, x("personality"), []uint64{1 << 32}}, eperm},
		// Numbers past the profile's last syscall: newer than it, ENOSYS.
		{"unknown 600", call{auditX64, 600, nil}, enosys},
		{"unknown 0x3fffffff", call{auditX64, x32Bit - 1, nil}, enosys},
		{"syscall(-1)", call{auditX64, 0xffffffff, nil}, enosys},
		// A hole below the last known syscall (tuxcall) is the default.
		{"tuxcall", call{auditX64, x("tuxcall"), nil}, eperm},
		// x32: bit 30 on AUDIT_ARCH_X86_64, its own numbers.
		{"x32 read", call{auditX64, x32("read"), nil}, allow},
		{"x32 rt_sigaction", call{auditX64, x32("rt_sigaction"), nil}, allow},
		{"x32 rt_sigaction at the 64-bit number", call{auditX64, x32Bit | x("rt_sigaction"), nil}, eperm},
		{"x32 keyctl", call{auditX64, x32("keyctl"), nil}, eperm},
		{"x32 clone CLONE_NEWUSER", call{auditX64, x32("clone"), []uint64{unix.CLONE_NEWUSER}}, eperm},
		{"x32 unknown", call{auditX64, x32Bit | 1000, nil}, enosys},
		// i386: int 0x80 from the same process.
		{"i386 read", call{auditX86, i386("read"), nil}, allow},
		{"i386 socketcall", call{auditX86, i386("socketcall"), nil}, allow},
		{"i386 keyctl", call{auditX86, i386("keyctl"), nil}, eperm},
		{"i386 unshare", call{auditX86, i386("unshare"), nil}, eperm},
		{"i386 clone CLONE_NEWUSER", call{auditX86, i386("clone"), []uint64{unix.CLONE_NEWUSER}}, eperm},
		{"i386 clone fork", call{auditX86, i386("clone"), []uint64{uint64(unix.SIGCHLD)}}, allow},
		{"i386 unknown", call{auditX86, 1000, nil}, enosys},
		// An architecture the filter does not know: killed.
		{"aarch64 on amd64", call{auditA64, 63, nil}, kill},
		{"arm on amd64", call{auditARM, 3, nil}, kill},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := run(t, f, tc.c); got != tc.want {
				t.Errorf("got %s, want %s", retName(got), retName(tc.want))
			}
		})
	}
}

// TestCapabilityRules: rules that include or exclude a capability follow
// the container's set, as in dockerd (--cap-add SYS_ADMIN lets a
// container unshare and mount).
func TestCapabilityRules(t *testing.T) {
	x := func(name string) uint32 { return nrOf(t, abiX86_64, name) }
	for _, tc := range []struct {
		name string
		caps []string
		c    call
		want uint32
	}{
		{"clone CLONE_NEWUSER without CAP_SYS_ADMIN", nil, call{auditX64, x("clone"), []uint64{unix.CLONE_NEWUSER}}, eperm},
		{"clone CLONE_NEWUSER with CAP_SYS_ADMIN", []string{"CAP_SYS_ADMIN"}, call{auditX64, x("clone"), []uint64{unix.CLONE_NEWUSER}}, allow},
		{"clone3 with CAP_SYS_ADMIN", []string{"CAP_SYS_ADMIN"}, call{auditX64, x("clone3"), nil}, allow},
		{"unshare with CAP_SYS_ADMIN", []string{"CAP_SYS_ADMIN"}, call{auditX64, x("unshare"), nil}, allow},
		{"mount with CAP_SYS_ADMIN", []string{"CAP_SYS_ADMIN"}, call{auditX64, x("mount"), nil}, allow},
		{"kcmp with CAP_SYS_PTRACE", []string{"CAP_SYS_PTRACE"}, call{auditX64, x("kcmp"), nil}, allow},
		{"perf_event_open with CAP_PERFMON", []string{"CAP_PERFMON"}, call{auditX64, x("perf_event_open"), nil}, allow},
		{"reboot with CAP_SYS_BOOT", []string{"CAP_SYS_BOOT"}, call{auditX64, x("reboot"), nil}, allow},
		{"keyctl whatever the caps", []string{"CAP_SYS_ADMIN"}, call{auditX64, x("keyctl"), nil}, eperm},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := defaultFilter(t, "amd64", tc.caps...)
			if got := run(t, f, tc.c); got != tc.want {
				t.Errorf("got %s, want %s", retName(got), retName(tc.want))
			}
		})
	}
	t.Run("chroot without CAP_SYS_CHROOT", func(t *testing.T) {
		var caps []string
		for _, c := range dockerCaps {
			if c != "CAP_SYS_CHROOT" {
				caps = append(caps, c)
			}
		}
		p, err := Default(caps)
		if err != nil {
			t.Fatal(err)
		}
		p.Architectures = abiX86_64.archList()
		if got := run(t, mustCompile(t, p, "amd64"), call{auditX64, x("chroot"), nil}); got != eperm {
			t.Errorf("got %s, want EPERM", retName(got))
		}
	})
}

func TestDefaultProfileARM64(t *testing.T) {
	f := defaultFilter(t, "arm64")
	a := func(name string) uint32 { return nrOf(t, abiAARCH64, name) }
	arm := func(name string) uint32 { return nrOf(t, abiARM, name) }
	for _, tc := range []struct {
		name string
		c    call
		want uint32
	}{
		{"read", call{auditA64, a("read"), nil}, allow},
		{"mkdirat", call{auditA64, a("mkdirat"), nil}, allow},
		{"newfstatat (stat)", call{auditA64, 79, nil}, allow},
		{"fstat", call{auditA64, 80, nil}, allow},
		{"keyctl", call{auditA64, a("keyctl"), nil}, eperm},
		{"clone CLONE_NEWUSER", call{auditA64, a("clone"), []uint64{unix.CLONE_NEWUSER}}, eperm},
		{"clone fork", call{auditA64, a("clone"), []uint64{uint64(unix.SIGCHLD)}}, allow},
		{"clone3", call{auditA64, a("clone3"), nil}, enosys},
		{"socket AF_VSOCK", call{auditA64, a("socket"), []uint64{unix.AF_VSOCK}}, eperm},
		{"unknown", call{auditA64, 1000, nil}, enosys},
		{"arm read", call{auditARM, arm("read"), nil}, allow},
		{"arm keyctl", call{auditARM, arm("keyctl"), nil}, eperm},
		{"arm clone CLONE_NEWUSER", call{auditARM, arm("clone"), []uint64{unix.CLONE_NEWUSER}}, eperm},
		{"x86_64 on arm64", call{auditX64, 0, nil}, kill},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := run(t, f, tc.c); got != tc.want {
				t.Errorf("got %s, want %s", retName(got), retName(tc.want))
			}
		})
	}
}

// TestOperators checks each comparison on both halves of a 64-bit
// argument, and on the low half only for a 32-bit ABI.
func TestOperators(t *testing.T) {
	const v = 0x1_0000_0010
	for _, tc := range []struct {
		op    specs.LinuxSeccompOperator
		value uint64
		two   uint64
		arg   uint64
		want  bool
	}{
		{specs.OpEqualTo, v, 0, v, true},
		{specs.OpEqualTo, v, 0, 0x10, false},
		{specs.OpEqualTo, v, 0, 0x2_0000_0010, false},
		{specs.OpNotEqual, v, 0, v, false},
		{specs.OpNotEqual, v, 0, 0x10, true},
		{specs.OpNotEqual, v, 0, v + 1, true},
		{specs.OpGreaterThan, v, 0, v, false},
		{specs.OpGreaterThan, v, 0, v + 1, true},
		{specs.OpGreaterThan, v, 0, 0x2_0000_0000, true},
		{specs.OpGreaterThan, v, 0, 0xffffffff, false},
		{specs.OpGreaterEqual, v, 0, v, true},
		{specs.OpGreaterEqual, v, 0, v - 1, false},
		{specs.OpGreaterEqual, v, 0, 0x2_0000_0000, true},
		{specs.OpLessThan, v, 0, v, false},
		{specs.OpLessThan, v, 0, v - 1, true},
		{specs.OpLessThan, v, 0, 0xffffffff, true},
		{specs.OpLessThan, v, 0, 0x2_0000_0000, false},
		{specs.OpLessEqual, v, 0, v, true},
		{specs.OpLessEqual, v, 0, v + 1, false},
		{specs.OpLessEqual, v, 0, 0, true},
		{specs.OpMaskedEqual, 0x1_0000_00f0, 0x1_0000_0010, 0x1_0000_0013, true},
		{specs.OpMaskedEqual, 0x1_0000_00f0, 0x1_0000_0010, 0x0_0000_0013, false},
		{specs.OpMaskedEqual, 0x1_0000_00f0, 0x1_0000_0010, 0x1_0000_0023, false},
	} {
		t.Run(fmt.Sprintf("%s %#x %#x arg %#x", tc.op, tc.value, tc.two, tc.arg), func(t *testing.T) {
			p := &specs.LinuxSeccomp{
				DefaultAction: specs.ActErrno,
				Syscalls: []specs.LinuxSyscall{{
					Names:  []string{"ioctl"},
					Action: specs.ActAllow,
					Args:   []specs.LinuxSeccompArg{{Index: 1, Value: tc.value, ValueTwo: tc.two, Op: tc.op}},
				}},
			}
			want := eperm
			if tc.want {
				want = allow
			}
			got := run(t, mustCompile(t, p, "amd64"), call{auditX64, nrOf(t, abiX86_64, "ioctl"), []uint64{3, tc.arg}})
			if got != want {
				t.Errorf("got %s, want %s", retName(got), retName(want))
			}
		})
	}
	t.Run("32-bit ABI compares the low half", func(t *testing.T) {
		p := &specs.LinuxSeccomp{
			DefaultAction: specs.ActErrno,
			Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX86},
			Syscalls: []specs.LinuxSyscall{{
				Names:  []string{"ioctl"},
				Action: specs.ActAllow,
				Args:   []specs.LinuxSeccompArg{{Index: 1, Value: 0x10, Op: specs.OpEqualTo}},
			}},
		}
		f := mustCompile(t, p, "amd64")
		if got := run(t, f, call{auditX86, nrOf(t, abiI386, "ioctl"), []uint64{3, 0x10}}); got != allow {
			t.Errorf("ioctl(3, 0x10) on i386: got %s, want allow", retName(got))
		}
		if got := run(t, f, call{auditX86, nrOf(t, abiI386, "ioctl"), []uint64{3, 0x11}}); got != eperm {
			t.Errorf("ioctl(3, 0x11) on i386: got %s, want EPERM", retName(got))
		}
	})
}

// TestCustomProfile: what a user's profile can say, as runc reads it.
func TestCustomProfile(t *testing.T) {
	errno := uint(unix.EACCES)
	p := &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Architectures: []specs.Arch{specs.ArchX86_64},
		Syscalls: []specs.LinuxSyscall{
			{Names: []string{"mkdir", "mkdirat"}, Action: specs.ActErrno},
			{Names: []string{"rmdir"}, Action: specs.ActErrno, ErrnoRet: &errno},
			{Names: []string{"getpid"}, Action: specs.ActAllow}, // the default: dropped
			{Names: []string{"no_such_syscall"}, Action: specs.ActKillProcess},
			// Two conditions on one argument are alternatives.
			{Names: []string{"kill"}, Action: specs.ActErrno, Args: []specs.LinuxSeccompArg{
				{Index: 1, Value: 9, Op: specs.OpEqualTo}, {Index: 1, Value: 15, Op: specs.OpEqualTo},
			}},
			// Two conditions on two arguments both hold.
			{Names: []string{"tgkill"}, Action: specs.ActErrno, Args: []specs.LinuxSeccompArg{
				{Index: 0, Value: 1, Op: specs.OpEqualTo}, {Index: 2, Value: 9, Op: specs.OpEqualTo},
			}},
		},
	}
	f := mustCompile(t, p, "amd64")
	x := func(name string) uint32 { return nrOf(t, abiX86_64, name) }
	for _, tc := range []struct {
		name string
		c    call
		want uint32
	}{
		{"mkdir", call{auditX64, x("mkdir"), nil}, eperm},
		{"mkdirat", call{auditX64, x("mkdirat"), nil}, eperm},
		{"rmdir errnoRet", call{auditX64, x("rmdir"), nil}, unix.SECCOMP_RET_ERRNO | uint32(unix.EACCES)},
		{"read", call{auditX64, x("read"), nil}, allow},
		{"kill 9", call{auditX64, x("kill"), []uint64{1, 9}}, eperm},
		{"kill 15", call{auditX64, x("kill"), []uint64{1, 15}}, eperm},
		{"kill 1", call{auditX64, x("kill"), []uint64{1, 1}}, allow},
		{"tgkill 1 9", call{auditX64, x("tgkill"), []uint64{1, 0, 9}}, eperm},
		{"tgkill 2 9", call{auditX64, x("tgkill"), []uint64{2, 0, 9}}, allow},
		// An allowing default needs no ENOSYS for new syscalls.
		{"unknown", call{auditX64, 1000, nil}, allow},
		// Only x86_64 listed: i386 and x32 are bad arches.
		{"i386", call{auditX86, 3, nil}, kill},
		{"x32", call{auditX64, x32Bit, nil}, kill},
		{"syscall(-1)", call{auditX64, 0xffffffff, nil}, enosys},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := run(t, f, tc.c); got != tc.want {
				t.Errorf("got %s, want %s", retName(got), retName(tc.want))
			}
		})
	}
}

// TestLongJumps: a profile big enough that the search tree needs jumps
// past 255 instructions still decides every syscall.
func TestLongJumps(t *testing.T) {
	p := &specs.LinuxSeccomp{DefaultAction: specs.ActErrno}
	var last uint32
	for _, s := range abiX86_64.table {
		if s.nr%2 == 0 {
			last = max(last, s.nr)
			p.Syscalls = append(p.Syscalls, specs.LinuxSyscall{
				Names: []string{s.name}, Action: specs.ActAllow,
				Args: []specs.LinuxSeccompArg{{Index: 0, Value: uint64(s.nr), Op: specs.OpEqualTo}},
			})
		}
	}
	f := mustCompile(t, p, "amd64")
	if len(f.Program) < 1000 {
		t.Fatalf("the program has %d instructions: too few to need long jumps", len(f.Program))
	}
	for _, s := range abiX86_64.table {
		want, wantOther := uint32(eperm), uint32(eperm)
		switch {
		case s.nr > last:
			want, wantOther = enosys, enosys
		case s.nr%2 == 0:
			want = allow
		}
		if got := run(t, f, call{auditX64, s.nr, []uint64{uint64(s.nr)}}); got != want {
			t.Errorf("%s(%d): got %s, want %s", s.name, s.nr, retName(got), retName(want))
		}
		if got := run(t, f, call{auditX64, s.nr, []uint64{uint64(s.nr) + 1}}); got != wantOther {
			t.Errorf("%s(%d+1): got %s, want %s", s.name, s.nr, retName(got), retName(wantOther))
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    specs.LinuxSeccomp
		want string
	}{
		{"unknown default action", specs.LinuxSeccomp{DefaultAction: "SCMP_ACT_MAYBE"}, `unknown action "SCMP_ACT_MAYBE"`},
		{"notify", specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Syscalls: []specs.LinuxSyscall{{Names: []string{"read"}, Action: specs.ActNotify}}}, "seccomp agent"},
		{"unknown operator", specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Syscalls: []specs.LinuxSyscall{{Names: []string{"read"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Op: "SCMP_CMP_ABOUT"}}}}}, `unknown operator "SCMP_CMP_ABOUT"`},
		{"argument index", specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Syscalls: []specs.LinuxSyscall{{Names: []string{"read"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 6, Op: specs.OpEqualTo}}}}}, "argument index 6"},
		{"unknown arch", specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Architectures: []specs.Arch{"SCMP_ARCH_Z80"}}, `unknown architecture "SCMP_ARCH_Z80"`},
		{"unknown flag", specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Flags: []specs.LinuxSeccompFlag{"SECCOMP_FILTER_FLAG_NEW_LISTENER"}}, "SECCOMP_FILTER_FLAG_NEW_LISTENER"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := compile(&tc.p, "amd64")
			if !errors.Is(err, ErrProfile) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want ErrProfile saying %q", err, tc.want)
			}
		})
	}
	if _, err := compile(&specs.LinuxSeccomp{DefaultAction: specs.ActErrno}, "riscv64"); !errors.Is(err, ErrArch) {
		t.Errorf("riscv64: got %v, want ErrArch", err)
	}
}

func TestLoad(t *testing.T) {
	p, err := Load([]byte(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","not_a_syscall_yet"],"action":"SCMP_ACT_ERRNO"}]}`), dockerCaps)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Compile(p)
	if err != nil {
		t.Fatal(err)
	}
	native := natives[runtime.GOARCH].native
	if got := run(t, f, call{native.audit, nrOf(t, native, "mkdirat"), nil}); got != allow {
		t.Errorf("mkdirat: got %s, want allow", retName(got))
	}
	if _, err := Load([]byte(`{"defaultAction":`), dockerCaps); !errors.Is(err, ErrProfile) {
		t.Errorf("truncated JSON: got %v, want ErrProfile", err)
	}
	if p, err := Load([]byte(`{}`), dockerCaps); err != nil || p != nil {
		t.Errorf("empty profile: got %v, %v, want unconfined (nil)", p, err)
	}
}
