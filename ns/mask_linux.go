package ns

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// Docker's defaults (moby oci/defaults.go): kernel files that leak host
// information or allow host changes.
var (
	maskedPaths = []string{
		"/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys",
		"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
		"/proc/sched_debug", "/proc/scsi", "/sys/firmware",
		"/sys/devices/virtual/powercap",
	}
	readonlyPaths = []string{
		"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
	}
)

// maskPaths hides maskedPaths (a read-only empty tmpfs over directories,
// /dev/null over files) and makes readonlyPaths read-only. Paths the
// kernel does not have are skipped.
func (r *root) maskPaths() error {
	null, err := r.open("/dev/null", kindNone)
	if err != nil {
		return fmt.Errorf("mask paths: %w", err)
	}
	defer null.Close()
	for _, p := range maskedPaths {
		h, err := r.open(p, kindNone)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("mask %s: %w", p, err)
		}
		st, err := h.Stat()
		if err == nil {
			if st.IsDir() {
				err = unix.Mount("tmpfs", fdPath(h), "tmpfs", unix.MS_RDONLY, "size=0")
			} else {
				err = unix.Mount(fdPath(null), fdPath(h), "", unix.MS_BIND, "")
			}
		}
		h.Close()
		if err != nil {
			return fmt.Errorf("mask %s: %w", p, err)
		}
	}
	for _, p := range readonlyPaths {
		h, err := r.open(p, kindNone)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err == nil {
			// Bound on itself through the resolved handle, so neither side
			// is looked up outside the root.
			err = unix.Mount(fdPath(h), fdPath(h), "", unix.MS_BIND|unix.MS_REC, "")
			h.Close()
		}
		if err != nil {
			return fmt.Errorf("make %s read-only: %w", p, err)
		}
		if err := r.setattr(p, unix.MOUNT_ATTR_RDONLY|unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NODEV|unix.MOUNT_ATTR_NOEXEC); err != nil {
			return err
		}
	}
	return nil
}
