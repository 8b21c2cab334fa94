package plan

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	units "github.com/docker/go-units"
	"golang.org/x/sys/unix"

	"pocket/cgroup"
)

// defaultShmSize is Docker's /dev/shm size (64 MiB).
const defaultShmSize = 64 * 1024 * 1024

// flagError is Docker CLI's wording for a flag value it cannot read.
func flagError(flag, v string, why string) error {
	return fmt.Errorf("%w: invalid argument %q for %q flag: %s", ErrBadOption, v, flag, why)
}

// blkioDevices reads the --blkio-weight-device and --device-*-bps/iops
// values in Docker's grammar (its opts.ValidateWeightDevice and
// ValidateThrottle*Device, same words) and finds each path's device
// numbers on the host, once: the cgroup files name devices by number.
func blkioDevices(o *Options, r *cgroup.Resources) error {
	for _, v := range o.BlkioWeightDevice {
		path, w, err := splitDevice("--blkio-weight-device", v)
		if err != nil {
			return err
		}
		weight, err := strconv.ParseUint(w, 10, 16)
		if err != nil || weight > 0 && (weight < 10 || weight > 1000) {
			return flagError("--blkio-weight-device", v, "invalid weight for device: "+v)
		}
		d := cgroup.WeightDevice{Path: path, Weight: uint16(weight)}
		if d.Major, d.Minor, err = blockDevice(path); err != nil {
			return err
		}
		r.BlkioWeightDevice = append(r.BlkioWeightDevice, d)
	}
	const bpsHint = ". The correct format is <device-path>:<number>[<unit>]. Number must be a positive integer. Unit is optional and can be kb, mb, or gb"
	const iopsHint = ". The correct format is <device-path>:<number>. Number must be a positive integer"
	for _, t := range []struct {
		flag string
		vals []string
		bps  bool
		out  *[]cgroup.ThrottleDevice
	}{
		{"--device-read-bps", o.DeviceReadBps, true, &r.BlkioDeviceReadBps},
		{"--device-write-bps", o.DeviceWriteBps, true, &r.BlkioDeviceWriteBps},
		{"--device-read-iops", o.DeviceReadIOps, false, &r.BlkioDeviceReadIOps},
		{"--device-write-iops", o.DeviceWriteIOps, false, &r.BlkioDeviceWriteIOps},
	} {
		for _, v := range t.vals {
			path, rate, err := splitDevice(t.flag, v)
			if err != nil {
				return err
			}
			d := cgroup.ThrottleDevice{Path: path}
			if t.bps {
				n, err := units.RAMInBytes(rate)
				if err != nil || n < 0 {
					return flagError(t.flag, v, "invalid rate for device: "+v+bpsHint)
				}
				d.Rate = uint64(n)
			} else if d.Rate, err = strconv.ParseUint(rate, 10, 64); err != nil {
				return flagError(t.flag, v, "invalid rate for device: "+v+iopsHint)
			}
			if d.Major, d.Minor, err = blockDevice(path); err != nil {
				return err
			}
			*t.out = append(*t.out, d)
		}
	}
	return nil
}

// splitDevice is Docker's DEVICE:VALUE, with a path under /dev.
func splitDevice(flag, v string) (path, value string, err error) {
	path, value, ok := strings.Cut(v, ":")
	if !ok || path == "" {
		return "", "", flagError(flag, v, "bad format: "+v)
	}
	if !strings.HasPrefix(path, "/dev/") {
		return "", "", flagError(flag, v, "bad format for device path: "+v)
	}
	return path, value, nil
}

// blockDevice is the device numbers of a block device node, as Docker's
// daemon finds them (stat, following symlinks such as /dev/disk/by-id).
func blockDevice(path string) (major, minor int64, err error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return 0, 0, fmt.Errorf("%w: %w", ErrBadOption, &os.PathError{Op: "stat", Path: path, Err: err})
	}
	if st.Mode&unix.S_IFMT != unix.S_IFBLK {
		return 0, 0, fmt.Errorf("%w: %s is not a block device", ErrBadOption, path)
	}
	rdev := uint64(st.Rdev) // int32 on some platforms
	return int64(unix.Major(rdev)), int64(unix.Minor(rdev)), nil
}

// shmSize is --shm-size in bytes, Docker's 64m by default; Docker refuses
// a size that is not positive.
func shmSize(v string) (int64, error) {
	if v == "" {
		return defaultShmSize, nil
	}
	n, err := units.RAMInBytes(v)
	if err != nil {
		return 0, flagError("--shm-size", v, err.Error())
	}
	if n <= 0 {
		return 0, fmt.Errorf("%w: SHM size can not be less than 0", ErrBadOption)
	}
	return n, nil
}

// namespacedSysctls are the sysctls Docker's CLI accepts by name
// (opts.ValidateSysctl); with the prefixes below they are those the
// kernel keeps per IPC or network namespace.
var namespacedSysctls = map[string]bool{
	"kernel.msgmax": true, "kernel.msgmnb": true, "kernel.msgmni": true, "kernel.sem": true,
	"kernel.shmall": true, "kernel.shmmax": true, "kernel.shmmni": true, "kernel.shm_rmid_forced": true,
}

// sysctls checks --sysctl KEY=VALUE as Docker does (only namespaced
// sysctls: its CLI's list, then runc's checks against host namespaces).
//
// A key becomes a path under /proc/sys by turning dots into slashes: a
// key holding "/" or an empty element ("net..") could name another file,
// e.g. "net.ipv4/../../kernel/core_pattern", a host-wide setting (its
// pipe runs a host program as root: a container escape). Such keys are refused; init also opens the path beneath
// /proc/sys without following anything.
func sysctls(vals []string, ns Namespaces, netMode string) (map[string]string, error) {
	if len(vals) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, v := range vals {
		key, value, ok := strings.Cut(v, "=")
		notAllowed := flagError("--sysctl", v, fmt.Sprintf("sysctl '%s' is not whitelisted", v))
		if !ok {
			return nil, notAllowed
		}
		if strings.ContainsAny(key, "/\x00") || strings.Contains(key, "..") || strings.HasSuffix(key, ".") {
			return nil, notAllowed
		}
		ipc := namespacedSysctls[key] || strings.HasPrefix(key, "fs.mqueue.")
		net := strings.HasPrefix(key, "net.")
		switch {
		case !ipc && !net:
			return nil, notAllowed
		case ipc && ns.HostIPC():
			return nil, fmt.Errorf("%w: sysctl %q is not allowed in the hosts ipc namespace", ErrBadOption, key)
		case net && netMode == NetHost:
			return nil, fmt.Errorf("%w: sysctl %q not allowed in host network namespace", ErrBadOption, key)
		}
		out[key] = value
	}
	return out, nil
}

// oomScoreAdj is Docker's check of --oom-score-adj.
func oomScoreAdj(v int) error {
	if v < -1000 || v > 1000 {
		return fmt.Errorf("%w: Invalid value %d, range for oom score adj is [-1000, 1000]", ErrBadOption, v)
	}
	return nil
}

// warnings are what Docker's daemon warns of and goes on: a flag it
// accepts and cannot apply here is said, never silently dropped.
func warnings(r *cgroup.Resources, unified bool) []string {
	var out []string
	if r.KernelMemory != 0 {
		out = append(out, "Specifying a kernel memory limit is deprecated and will be removed in a future release.")
	}
	if unified && r.MemorySwappiness != nil && *r.MemorySwappiness >= 0 {
		out = append(out, "Your kernel does not support memory swappiness capabilities or the cgroup is not mounted. Memory swappiness discarded.")
		r.MemorySwappiness = nil
	}
	if r.OomKillDisable {
		if unified {
			out = append(out, "Your kernel does not support OomKillDisable. OomKillDisable discarded.")
			r.OomKillDisable = false
		} else if r.Memory == 0 {
			out = append(out, "Disabling the OOM killer on containers without setting a '-m/--memory' limit may be dangerous.")
		}
	}
	return out
}
