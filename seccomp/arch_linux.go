package seccomp

import (
	"sort"

	"github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// syscallNr is one line of a syscall table.
type syscallNr struct {
	name string
	nr   uint32
}

// abi is one calling convention a filter may see: x86_64 and x32 share an
// audit arch and tell themselves apart by a bit of the syscall number.
type abi struct {
	name  specs.Arch
	audit uint32 // AUDIT_ARCH_*, seccomp_data.arch
	// base is or-ed into every syscall number (x32's __X32_SYSCALL_BIT).
	base uint32
	// top is the last number of the ABI: x86_64 ends where x32 begins.
	top uint32
	// wide: arguments are 64-bit and both halves are compared. On the
	// 32-bit ABIs libseccomp compares the low half only, as the kernel
	// passes 32-bit registers.
	wide  bool
	table []syscallNr // sorted by name
}

// x32Bit marks an x32 syscall on AUDIT_ARCH_X86_64.
const x32Bit = 0x40000000

var (
	abiX86_64  = &abi{specs.ArchX86_64, unix.AUDIT_ARCH_X86_64, 0, x32Bit - 1, true, syscallsX86_64[:]}
	abiX32     = &abi{specs.ArchX32, unix.AUDIT_ARCH_X86_64, x32Bit, 0xffffffff, true, syscallsX32[:]}
	abiI386    = &abi{specs.ArchX86, unix.AUDIT_ARCH_I386, 0, 0xffffffff, false, syscallsI386[:]}
	abiAARCH64 = &abi{specs.ArchAARCH64, unix.AUDIT_ARCH_AARCH64, 0, 0xffffffff, true, syscallsAARCH64[:]}
	abiARM     = &abi{specs.ArchARM, unix.AUDIT_ARCH_ARM, 0, 0xffffffff, false, syscallsARM[:]}
)

// natives maps a GOARCH pocket builds for to the ABIs a process of that
// architecture can call: its own and the compat ones.
var natives = map[string]struct {
	native *abi
	compat []*abi
}{
	"amd64": {abiX86_64, []*abi{abiI386, abiX32}},
	"arm64": {abiAARCH64, []*abi{abiARM}},
}

// knownArches are libseccomp's architecture names. A profile may list any
// of them; those that cannot run beside the native one are left out.
var knownArches = map[specs.Arch]bool{
	specs.ArchX86: true, specs.ArchX86_64: true, specs.ArchX32: true, specs.ArchARM: true,
	specs.ArchAARCH64: true, specs.ArchMIPS: true, specs.ArchMIPS64: true, specs.ArchMIPS64N32: true,
	specs.ArchMIPSEL: true, specs.ArchMIPSEL64: true, specs.ArchMIPSEL64N32: true, specs.ArchPPC: true,
	specs.ArchPPC64: true, specs.ArchPPC64LE: true, specs.ArchS390: true, specs.ArchS390X: true,
	specs.ArchPARISC: true, specs.ArchPARISC64: true, specs.ArchRISCV64: true,
	specs.ArchLOONGARCH64: true,
}

// lookup returns the number of a syscall in this ABI (base included).
func (a *abi) lookup(name string) (uint32, bool) {
	i := sort.Search(len(a.table), func(i int) bool { return a.table[i].name >= name })
	if i < len(a.table) && a.table[i].name == name {
		return a.table[i].nr | a.base, true
	}
	return 0, false
}
