package ns

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// sysctls writes the container's --sysctl values in its fresh procfs,
// before /proc/sys is made read-only: the container's namespaces are
// already init's, so these are the container's own settings. Each file is
// found beneath the verified procfs without following a symlink or
// leaving it (kernelFS.open): a key can never reach a host-wide file
// through "..", a slash or a link.
func (r *root) sysctls(values map[string]string) error {
	if len(values) == 0 {
		return nil
	}
	proc, err := r.openKernelFS("/proc", unix.PROC_SUPER_MAGIC)
	if err != nil {
		return fmt.Errorf("sysctl: %w", err)
	}
	defer proc.dir.Close()
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if strings.ContainsAny(k, "/\x00") || strings.Contains(k, "..") {
			return fmt.Errorf("sysctl %q: %w", k, ErrUnsafePath)
		}
		if err := writeSysctl(proc, k, values[k]); err != nil {
			return err
		}
	}
	return nil
}

func writeSysctl(proc *kernelFS, key, value string) error {
	p := "/proc/sys/" + strings.ReplaceAll(key, ".", "/")
	h, err := proc.open(p)
	if err != nil {
		return fmt.Errorf("sysctl %s: %w", key, err)
	}
	defer h.Close()
	f, err := pathrs.Reopen(h, unix.O_WRONLY|unix.O_CLOEXEC)
	if err != nil {
		return fmt.Errorf("sysctl %s: %w", key, err)
	}
	defer f.Close()
	if _, err := f.WriteString(value); err != nil {
		return fmt.Errorf("sysctl %s=%s: %w", key, value, &os.PathError{Op: "write", Path: p, Err: err})
	}
	return nil
}
