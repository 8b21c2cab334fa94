package run

import "golang.org/x/sys/unix"

// kernelInfo is the kernel release and the machine's memory in bytes.
func kernelInfo() (release string, mem int64) {
	var u unix.Utsname
	if err := unix.Uname(&u); err == nil {
		release = unix.ByteSliceToString(u.Release[:])
	}
	var si unix.Sysinfo_t
	if err := unix.Sysinfo(&si); err == nil {
		mem = int64(si.Totalram) * int64(si.Unit)
	}
	return release, mem
}

// kernelArch is uname -m, Docker's Architecture (x86_64, aarch64).
func kernelArch() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return ""
	}
	return unix.ByteSliceToString(u.Machine[:])
}
