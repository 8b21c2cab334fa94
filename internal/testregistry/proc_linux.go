package testregistry

import "syscall"

// procAttr puts the registry in its own process group and kills it when
// the test process dies, so no registry outlives a crashed test run.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
}
