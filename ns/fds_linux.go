package ns

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// CloseOnExec marks every descriptor above stderr close-on-exec, as runc
// does when it starts. main calls it before anything else: a descriptor
// pocket's caller leaked to it (a shell's `exec 7</`, a service manager's
// socket) must never reach a container's init, the detached monitor or the
// command, where /proc/self/fd/N would lead back to the host
// (CVE-2024-21626). Init calls it again before it execs the command, so the
// error pipe closes on a successful exec and the parent reads EOF.
func CloseOnExec() error {
	// Linux 5.11: one call for the whole table.
	if err := unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err == nil {
		return nil
	}
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return fmt.Errorf("list open files: %w", err)
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return fmt.Errorf("list open files: %w", err)
	}
	for _, n := range names {
		if fd, err := strconv.Atoi(n); err == nil && fd > 2 {
			unix.CloseOnExec(fd)
		}
	}
	return nil
}
