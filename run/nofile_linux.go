package run

import (
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"pocket/privilege"
)

func fmtUint(n uint64) string { return strconv.FormatUint(n, 10) }

// DefaultNofile is Docker's 1048576 where this process may set it (its
// hard limit is that high, or it is root on the host with
// CAP_SYS_RESOURCE and fs.nr_open allows it), else this process's hard
// limit: rootless pocket, or root without CAP_SYS_RESOURCE (a container),
// cannot raise it.
func DefaultNofile() NofileLimit {
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		return NofileLimit{}
	}
	if rl.Max >= dockerNofile {
		return NofileLimit{Limit: dockerNofile, Source: NofileDocker}
	}
	if !privilege.Rootless() && canRaiseLimits() {
		if b, err := os.ReadFile("/proc/sys/fs/nr_open"); err == nil {
			if n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil && n >= dockerNofile {
				return NofileLimit{Limit: dockerNofile, Source: NofileDocker}
			}
		}
	}
	return NofileLimit{Limit: rl.Max, Source: NofileHost}
}

// canRaiseLimits is CAP_SYS_RESOURCE in this process's effective set.
func canRaiseLimits() bool {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return false
	}
	return data[unix.CAP_SYS_RESOURCE/32].Effective&(1<<(unix.CAP_SYS_RESOURCE%32)) != 0
}
