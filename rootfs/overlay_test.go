package rootfs

import (
	"strings"
	"testing"
)

func TestChooseOverlay(t *testing.T) {
	const (
		newKernel = "6.1.0-18-amd64"
		oldKernel = "5.10.0-28-amd64"
	)
	for _, tt := range []struct {
		name string
		host overlayHost
		want Overlay
		// errHints must all appear in the error; nil means no error.
		errHints []string
	}{
		{"root, old kernel", overlayHost{release: oldKernel}, Native, nil},
		{"root ignores the override", overlayHost{release: newKernel, env: "fuse-overlayfs"}, Native, nil},
		{"rootless, new kernel", overlayHost{rootless: true, release: newKernel, fuseInstalled: true}, Native, nil},
		{"rootless, new kernel, no fuse", overlayHost{rootless: true, release: newKernel}, Native, nil},
		{"rootless, new kernel, override", overlayHost{rootless: true, release: newKernel, env: "fuse-overlayfs", fuseInstalled: true}, Fuse, nil},
		{"rootless, new kernel, native asked", overlayHost{rootless: true, release: newKernel, env: "overlay", fuseInstalled: true}, Native, nil},
		{"rootless, old kernel, fuse", overlayHost{rootless: true, release: oldKernel, fuseInstalled: true}, Fuse, nil},
		{"rootless, old kernel, override", overlayHost{rootless: true, release: oldKernel, env: "fuse-overlayfs", fuseInstalled: true}, Fuse, nil},
		{"rootless, old kernel, nothing", overlayHost{rootless: true, release: oldKernel},
			0, []string{"Linux " + oldKernel, "5.11 or later", "apt-get install fuse-overlayfs"}},
		{"rootless, old kernel, native asked, no fuse", overlayHost{rootless: true, release: oldKernel, env: "overlay"},
			0, []string{"5.11 or later", "apt-get install fuse-overlayfs"}},
		{"override without fuse-overlayfs", overlayHost{rootless: true, release: newKernel, env: "fuse-overlayfs"},
			0, []string{"POCKET_OVERLAY=fuse-overlayfs", "apt-get install fuse-overlayfs", "unset POCKET_OVERLAY"}},
		{"unknown override", overlayHost{rootless: true, release: newKernel, env: "zfs", fuseInstalled: true},
			0, []string{`POCKET_OVERLAY="zfs"`, "fuse-overlayfs or overlay"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := chooseOverlay(tt.host)
			if tt.errHints == nil {
				if err != nil {
					t.Fatalf("chooseOverlay(%+v): %v", tt.host, err)
				}
				if got != tt.want {
					t.Errorf("chooseOverlay(%+v) = %v, want %v", tt.host, got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("chooseOverlay(%+v) = %v, want an error", tt.host, got)
			}
			for _, h := range tt.errHints {
				if !strings.Contains(err.Error(), h) {
					t.Errorf("error %q does not say %q", err, h)
				}
			}
		})
	}
}

func TestKernelAtLeast(t *testing.T) {
	for _, tt := range []struct {
		release string
		want    bool
	}{{"6.1.0-18-amd64", true}, {"5.11.0", true}, {"5.10.209", false}, {"4.19.0", false}, {"weird", true}} {
		if got := kernelAtLeast(tt.release, 5, 11); got != tt.want {
			t.Errorf("kernelAtLeast(%q, 5, 11) = %v, want %v", tt.release, got, tt.want)
		}
	}
}
