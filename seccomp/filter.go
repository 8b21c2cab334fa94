package seccomp

import (
	"encoding/binary"

	"golang.org/x/net/bpf"
)

// Filter is a compiled profile, what the container's init installs.
type Filter struct {
	Program []bpf.RawInstruction
	// Flags are the SECCOMP_FILTER_FLAG_* the profile asks for (log,
	// spec_allow); the installer adds its own.
	Flags uint
}

// Bytes is the program as the kernel reads it: struct sock_filter
// entries in the machine's byte order.
func (f *Filter) Bytes() []byte {
	b := make([]byte, 0, 8*len(f.Program))
	for _, ins := range f.Program {
		b = binary.NativeEndian.AppendUint16(b, ins.Op)
		b = append(b, ins.Jt, ins.Jf)
		b = binary.NativeEndian.AppendUint32(b, ins.K)
	}
	return b
}
