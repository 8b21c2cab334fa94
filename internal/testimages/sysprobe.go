package testimages

// SysprobeBinary is testdata/sysprobe built static for the host, once a
// process: it makes the raw syscalls the seccomp tests name.
func SysprobeBinary() ([]byte, error) { return Program("sysprobe") }
