package run

import (
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"pocket/fs"
	"pocket/plan"
	"pocket/privilege"
	"pocket/store"
)

// TestUnpackAndMountAgree: pull unpacks layers with fs.OptionsFor and
// the answer of privilege.Rootless; the container's overlay mount reads
// them with the options newSpec derives from plan.Probe. Opaque
// directories written as user.overlay.opaque are invisible to an overlay
// mounted without userxattr (and trusted.* ones cannot be written in a
// user namespace), so both must come from the same answer.
func TestUnpackAndMountAgree(t *testing.T) {
	if got, want := plan.Probe().Rootless, privilege.Rootless(); got != want {
		t.Errorf("plan.Probe().Rootless = %v, privilege.Rootless() = %v: the mount and pull's unpacking ask different questions", got, want)
	}
	s, err := store.Open(filepath.Join(t.TempDir(), "root"))
	if err != nil {
		t.Fatal(err)
	}
	img := &store.Image{ID: v1.Hash{Algorithm: "sha256", Hex: "00"}}
	for _, rootless := range []bool{false, true} {
		p, err := plan.Parse(Options{Network: "none"}, plan.Host{Rootless: rootless, Cgroup: true})
		if err != nil {
			t.Fatal(err)
		}
		sp, err := newSpec(s, img, v1.Config{Cmd: []string{"true"}}, p)
		if err != nil {
			t.Fatal(err)
		}
		unpack := fs.OptionsFor(rootless)
		if userXattr := unpack.OpaqueXattr == fs.UserOpaqueXattr; sp.Init.Rootfs.UserXattr != userXattr {
			t.Errorf("rootless %v: overlay userxattr %v, but layers unpacked with opaque xattr %q",
				rootless, sp.Init.Rootfs.UserXattr, unpack.OpaqueXattr)
		}
		if sp.Init.UserNS != unpack.Rootless {
			t.Errorf("rootless %v: init in a user namespace %v, unpacking rootless %v", rootless, sp.Init.UserNS, unpack.Rootless)
		}
	}
}
