//go:build !linux

package testregistry

import "syscall"

// procAttr puts the registry in its own process group; only Linux can
// also kill it when the test process dies.
func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
