package cgroup

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/containerd/cgroups/v3/cgroup2"
)

// ioV2 is the throttles as io.max entries; the weights, as on v1, are
// writeWeights'.
func (r Resources) ioV2() *cgroup2.IO {
	if !r.throttled() {
		return nil
	}
	var io cgroup2.IO
	for _, t := range []struct {
		typ cgroup2.IOType
		ds  []ThrottleDevice
	}{
		{cgroup2.ReadBPS, r.BlkioDeviceReadBps}, {cgroup2.WriteBPS, r.BlkioDeviceWriteBps},
		{cgroup2.ReadIOPS, r.BlkioDeviceReadIOps}, {cgroup2.WriteIOPS, r.BlkioDeviceWriteIOps},
	} {
		for _, d := range t.ds {
			io.Max = append(io.Max, cgroup2.Entry{Type: t.typ, Major: d.Major, Minor: d.Minor, Rate: d.Rate})
		}
	}
	return &io
}

// weightFiles are, in order of preference, the files a weight goes to:
// BFQ's own (the only one a kernel without CFQ has on v1), then the
// generic one. On v2 the generic io.weight has a range of 1-10000, so
// Docker's 10-1000 is converted there as runc does.
func weightFiles(unified bool) []string {
	if unified {
		return []string{"io.bfq.weight", "io.weight"}
	}
	return []string{"blkio.bfq.weight", "blkio.weight"}
}

// ioWeight is runc's conversion of a blkio weight (10-1000) to io.weight
// (1-10000).
func ioWeight(w uint16) uint64 { return 1 + (uint64(w)-10)*9999/990 }

// writeWeights writes --blkio-weight and --blkio-weight-device to the
// first weight file dir has; needs has checked that one exists.
func (r Resources) writeWeights(dir string, unified bool) error {
	if r.BlkioWeight == 0 && len(r.BlkioWeightDevice) == 0 {
		return nil
	}
	file := ""
	for _, f := range weightFiles(unified) {
		if exists(filepath.Join(dir, f)) {
			file = f
			break
		}
	}
	if file == "" {
		return fmt.Errorf("--blkio-weight: %s: %w (hint: the kernel needs the BFQ I/O scheduler, or drop --blkio-weight)", weightFiles(unified)[0], ErrNoController)
	}
	value := func(w uint16) uint64 {
		if file == "io.weight" {
			return ioWeight(w)
		}
		return uint64(w)
	}
	write := func(f, v string) error {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(v), 0); err != nil {
			return fmt.Errorf("set %s: %w", f, err)
		}
		return nil
	}
	if r.BlkioWeight > 0 {
		v := fmt.Sprint(value(r.BlkioWeight))
		if unified {
			v = "default " + v
		}
		if err := write(file, v); err != nil {
			return err
		}
	}
	devFile := file
	if !unified {
		devFile = file + "_device"
	}
	for _, d := range r.BlkioWeightDevice {
		if err := write(devFile, fmt.Sprintf("%d:%d %d", d.Major, d.Minor, value(d.Weight))); err != nil {
			return err
		}
	}
	return nil
}
