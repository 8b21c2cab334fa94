//go:build !linux

package seccomp

import "github.com/opencontainers/runtime-spec/specs-go"

// Seccomp is a Linux facility: elsewhere every call fails with ErrOS, so
// that the packages above build (and say so) on any system.

// Default fails with ErrOS.
func Default([]string) (*specs.LinuxSeccomp, error) { return nil, ErrOS }

// Load fails with ErrOS.
func Load([]byte, []string) (*specs.LinuxSeccomp, error) { return nil, ErrOS }

// Compile fails with ErrOS.
func Compile(*specs.LinuxSeccomp) (*Filter, error) { return nil, ErrOS }
