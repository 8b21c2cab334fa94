package cgroup

import specs "github.com/opencontainers/runtime-spec/specs-go"

// WeightDevice is one --blkio-weight-device, Docker's blkiodev.WeightDevice
// plus the device numbers plan found for its path (once, at run: the
// cgroup files name devices by number).
type WeightDevice struct {
	Path   string
	Weight uint16
	Major  int64
	Minor  int64
}

// ThrottleDevice is one --device-{read,write}-{bps,iops}, Docker's
// blkiodev.ThrottleDevice plus its device numbers.
type ThrottleDevice struct {
	Path  string
	Rate  uint64
	Major int64
	Minor int64
}

// blkioSet reports whether r asks for any I/O limit.
func (r Resources) blkioSet() bool {
	return r.BlkioWeight > 0 || len(r.BlkioWeightDevice) > 0 || len(r.BlkioDeviceReadBps) > 0 ||
		len(r.BlkioDeviceWriteBps) > 0 || len(r.BlkioDeviceReadIOps) > 0 || len(r.BlkioDeviceWriteIOps) > 0
}

// throttled reports whether r asks for a throttle (io.max on v2).
func (r Resources) throttled() bool {
	return len(r.BlkioDeviceReadBps) > 0 || len(r.BlkioDeviceWriteBps) > 0 ||
		len(r.BlkioDeviceReadIOps) > 0 || len(r.BlkioDeviceWriteIOps) > 0
}

// blkioV1 is the throttles for v1's blkio.throttle.* files, which
// containerd writes. Weights are written by writeWeights: containerd
// writes only blkio.weight, which a kernel with BFQ and no CFQ lacks.
func (r Resources) blkioV1() *specs.LinuxBlockIO {
	if !r.throttled() {
		return nil
	}
	conv := func(ds []ThrottleDevice) []specs.LinuxThrottleDevice {
		var out []specs.LinuxThrottleDevice
		for _, d := range ds {
			t := specs.LinuxThrottleDevice{Rate: d.Rate}
			t.Major, t.Minor = d.Major, d.Minor
			out = append(out, t)
		}
		return out
	}
	return &specs.LinuxBlockIO{
		ThrottleReadBpsDevice: conv(r.BlkioDeviceReadBps), ThrottleWriteBpsDevice: conv(r.BlkioDeviceWriteBps),
		ThrottleReadIOPSDevice: conv(r.BlkioDeviceReadIOps), ThrottleWriteIOPSDevice: conv(r.BlkioDeviceWriteIOps),
	}
}
