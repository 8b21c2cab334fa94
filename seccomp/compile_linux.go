package seccomp

import (
	"fmt"
	"runtime"
	"slices"

	"github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Offsets in struct seccomp_data. Arguments are 64-bit; pocket builds for
// little-endian machines only (amd64, arm64), where the low half comes
// first.
const (
	offNr   = 0
	offArch = 4
	offArgs = 16
)

// errnoRet is SECCOMP_RET_ERRNO with errno.
func errnoRet(errno uint) uint32 {
	return unix.SECCOMP_RET_ERRNO | uint32(errno)&unix.SECCOMP_RET_DATA
}

// retENOSYS answers syscalls newer than the profile: runc's patchbpf does
// the same, so that a new libc falls back to an older syscall (clone3 to
// clone, faccessat2 to faccessat) instead of failing on EPERM.
var retENOSYS = errnoRet(uint(unix.ENOSYS))

// retBadArch ends a process calling through an ABI the profile does not
// list (libseccomp's bad-arch action kills).
const retBadArch = unix.SECCOMP_RET_KILL_PROCESS

// Compile turns a resolved profile (Default, Load) into a filter for this
// machine's architecture; a nil profile is nil, unconfined.
func Compile(p *specs.LinuxSeccomp) (*Filter, error) {
	return compile(p, runtime.GOARCH)
}

func compile(p *specs.LinuxSeccomp, goarch string) (*Filter, error) {
	if p == nil {
		return nil, nil
	}
	n, ok := natives[goarch]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrArch, goarch)
	}
	def, err := action(p.DefaultAction, p.DefaultErrnoRet)
	if err != nil {
		return nil, err
	}
	f := &Filter{}
	for _, fl := range p.Flags {
		switch fl {
		case specs.LinuxSeccompFlagLog:
			f.Flags |= unix.SECCOMP_FILTER_FLAG_LOG
		case specs.LinuxSeccompFlagSpecAllow:
			f.Flags |= unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW
		case "SECCOMP_FILTER_FLAG_TSYNC":
			// pocket always synchronises every thread.
		default:
			return nil, fmt.Errorf("%w: flag %q is not supported", ErrProfile, fl)
		}
	}
	abis := []*abi{n.native}
	for _, a := range p.Architectures {
		if !knownArches[a] {
			return nil, fmt.Errorf("%w: unknown architecture %q", ErrProfile, a)
		}
		for _, c := range n.compat {
			if c.name == a && !slices.Contains(abis, c) {
				abis = append(abis, c)
			}
		}
	}
	rules, refs, err := expand(p.Syscalls, def)
	if err != nil {
		return nil, err
	}
	// Like runc, no ENOSYS for new syscalls when the default lets them
	// through anyway or already says ENOSYS.
	enosys := def != retENOSYS && def != unix.SECCOMP_RET_ALLOW && def != unix.SECCOMP_RET_LOG &&
		def&unix.SECCOMP_RET_ACTION_FULL != unix.SECCOMP_RET_TRACE

	// One section per audit arch: x86_64 and x32 share AUDIT_ARCH_X86_64,
	// x32 numbers have bit 30 set.
	var audits []uint32
	sections := map[uint32][]interval{}
	for _, a := range abis {
		if !slices.Contains(audits, a.audit) {
			audits = append(audits, a.audit)
		}
		sections[a.audit] = append(sections[a.audit], intervals(a, rules, refs, def, enosys)...)
	}
	if slices.Contains(abis, abiX86_64) && !slices.Contains(abis, abiX32) {
		// x32 calls on a filter without x32 are a bad arch, as in
		// libseccomp; syscall(-1) stays "no such syscall".
		sections[abiX86_64.audit] = append(sections[abiX86_64.audit],
			interval{lo: x32Bit, ret: retBadArch}, interval{lo: 0xffffffff, ret: retENOSYS})
	}

	// ld arch; for each: jeq arch, 0, 1; ja section; ret bad-arch;
	// sections, each: ld nr; search tree.
	size := 1 + 2*len(audits) + 1
	for _, au := range audits {
		size += 1 + treeSize(sections[au])
	}
	if size > unix.BPF_MAXINSNS {
		return nil, fmt.Errorf("%w: %d instructions, the kernel takes %d", ErrProfile, size, unix.BPF_MAXINSNS)
	}
	raw := make([]bpf.RawInstruction, 0, size)
	raw = append(raw, load(offArch))
	at := 1 + 2*len(audits) + 1 // where the next section starts
	for _, au := range audits {
		raw = append(raw, jmp(unix.BPF_JEQ, au, 0, 1), ja(uint32(at-(len(raw)+2))))
		at += 1 + treeSize(sections[au])
	}
	raw = append(raw, ret(retBadArch))
	for _, au := range audits {
		raw = append(raw, load(offNr))
		raw = tree(raw, sections[au])
	}
	f.Program = raw
	return f, nil
}

// action maps a profile action to a SECCOMP_RET_* value, as runc does:
// errno and trace default to EPERM, "kill" kills the thread.
func action(a specs.LinuxSeccompAction, errno *uint) (uint32, error) {
	e := uint(unix.EPERM)
	if errno != nil {
		e = *errno
	}
	switch a {
	case specs.ActKill, specs.ActKillThread:
		return unix.SECCOMP_RET_KILL_THREAD, nil
	case specs.ActKillProcess:
		return unix.SECCOMP_RET_KILL_PROCESS, nil
	case specs.ActTrap:
		return unix.SECCOMP_RET_TRAP, nil
	case specs.ActErrno:
		return errnoRet(e), nil
	case specs.ActTrace:
		return unix.SECCOMP_RET_TRACE | uint32(e)&unix.SECCOMP_RET_DATA, nil
	case specs.ActAllow:
		return unix.SECCOMP_RET_ALLOW, nil
	case specs.ActLog:
		return unix.SECCOMP_RET_LOG, nil
	case specs.ActNotify:
		return 0, fmt.Errorf("%w: action %s needs a seccomp agent, which pocket does not have", ErrProfile, a)
	}
	return 0, fmt.Errorf("%w: unknown action %q", ErrProfile, a)
}
