package doctor

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"pocket/ns"
)

// good is a host where every check passes, rootless or not.
func good(rootless bool) Host {
	full := []ns.IDRange{{Start: 100000, Count: 65536}}
	return Host{
		Rootless: rootless, User: "ci", UID: 1000,
		Kernel: "6.1.0-18-amd64", Openat2: true, Pidfd: true,
		Filesystems: "nodev\tsysfs\nnodev\toverlay\n",
		MaxUserNS:   "15000\n", UnprivUsernsClone: "1\n",
		SubUID: full, SubGID: full,
		NewUIDMap: Helper{Path: "/usr/bin/newuidmap", Setuid: true},
		NewGIDMap: Helper{Path: "/usr/bin/newgidmap", Caps: true},
		Tun:       true, DevFuse: true, Pasta: "/usr/bin/pasta", Iptables: "/usr/sbin/iptables", IPForward: "1\n",
		Cgroup:     Cgroup{Unified: true, Mounted: true, Delegated: true, Controllers: []string{"cpu", "io", "memory", "pids"}},
		Store:      Store{Path: "/var/lib/pocket", FSType: "ext4", Options: []string{"rw", "relatime"}, DType: true, Free: 50 << 30},
		Registries: []Registry{{Name: "docker.io"}},
	}
}

// Every check, in its passing state and in each failing one, rootful and
// rootless where it differs: the status, and for a problem the exact fix.
func TestChecks(t *testing.T) {
	for _, tc := range []struct {
		name     string
		rootless bool
		change   func(h *Host)
		check    func(Host) Result
		want     Status
		fix      string // part of the fix; "" for none
	}{
		{"kernel ok", false, nil, checkKernel, OK, ""},
		{"kernel old", false, func(h *Host) { h.Kernel, h.Openat2 = "5.4.0", false }, checkKernel, Warn, "Linux 5.6"},
		{"overlay ok", false, nil, checkOverlay, OK, ""},
		{"overlay module", false, func(h *Host) { h.Filesystems, h.OverlayModule = "nodev\tsysfs\n", true }, checkOverlay, OK, ""},
		{"overlay missing", false, func(h *Host) { h.Filesystems = "nodev\tsysfs\n" }, checkOverlay, Fail, "sudo modprobe overlay"},
		{"overlay missing, fuse", true, func(h *Host) { h.Filesystems, h.FuseOverlayfs = "nodev\tsysfs\n", "/usr/bin/fuse-overlayfs" }, checkOverlay, Warn, "sudo modprobe overlay"},
		{"overlay userns ok", true, nil, checkOverlayUserNS, OK, ""},
		{"overlay userns old kernel", true, func(h *Host) { h.Kernel = "5.10.0-28-amd64" }, checkOverlayUserNS, Fail, "sudo apt-get install fuse-overlayfs"},
		{"overlay userns old kernel, fuse", true, func(h *Host) { h.Kernel, h.FuseOverlayfs = "5.10.0", "/usr/bin/fuse-overlayfs" }, checkOverlayUserNS, Warn, "5.11"},
		{"overlay userns fuse without /dev/fuse", true, func(h *Host) { h.Kernel, h.FuseOverlayfs, h.DevFuse = "5.10.0", "/usr/bin/fuse-overlayfs", false }, checkOverlayUserNS, Fail, "sudo modprobe fuse"},
		{"userns ok", true, nil, checkUserNS, OK, ""},
		{"userns max 0 rootless", true, func(h *Host) { h.MaxUserNS = "0\n" }, checkUserNS, Fail, "sudo sysctl -w user.max_user_namespaces=15000"},
		{"userns max 0 root", false, func(h *Host) { h.MaxUserNS = "0\n" }, checkUserNS, Warn, "sudo sysctl -w user.max_user_namespaces=15000"},
		{"userns debian knob", true, func(h *Host) { h.UnprivUsernsClone = "0\n" }, checkUserNS, Fail, "sudo sysctl -w kernel.unprivileged_userns_clone=1"},
		{"userns debian knob absent", true, func(h *Host) { h.UnprivUsernsClone = "" }, checkUserNS, OK, ""},
		{"userns ubuntu apparmor", true, func(h *Host) { h.AppArmorRestrict = "1\n" }, checkUserNS, Fail, "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"},
		{"subids ok", true, nil, checkSubIDs, OK, ""},
		{"subids none", true, func(h *Host) { h.SubUID = nil }, checkSubIDs, Warn, "sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ci"},
		{"subids few", true, func(h *Host) { h.SubGID = []ns.IDRange{{Start: 1, Count: 1000}} }, checkSubIDs, Warn, "usermod"},
		{"newuidmap ok", true, nil, checkIDMapHelpers, OK, ""},
		{"newuidmap missing", true, func(h *Host) { h.NewUIDMap = Helper{} }, checkIDMapHelpers, Warn, "sudo apt-get install uidmap"},
		{"newgidmap not setuid", true, func(h *Host) { h.NewGIDMap.Caps = false }, checkIDMapHelpers, Warn, "sudo chmod u+s /usr/bin/newgidmap"},
		{"cgroup root", false, nil, checkCgroup, OK, ""},
		{"cgroup none root", false, func(h *Host) { h.Cgroup = Cgroup{} }, checkCgroup, Fail, "mount -t cgroup2"},
		{"cgroup delegated", true, nil, checkCgroup, OK, ""},
		{"cgroup v1 rootless", true, func(h *Host) { h.Cgroup.Unified, h.Cgroup.Hybrid = false, true }, checkCgroup, Warn, "systemd.unified_cgroup_hierarchy=1"},
		{"cgroup not delegated", true, func(h *Host) { h.Cgroup.Delegated = false }, checkCgroup, Warn, "Delegate=cpu cpuset io memory pids"},
		{"cgroup no memory", true, func(h *Host) { h.Cgroup.Controllers = []string{"cpu", "pids"} }, checkCgroup, Warn, "Delegate="},
		{"network root", false, nil, checkNetwork, OK, ""},
		{"network root no iptables", false, func(h *Host) { h.Iptables = "" }, checkNetwork, Warn, "sudo apt-get install iptables"},
		{"network root nft", false, func(h *Host) { h.Iptables, h.Nft = "", "/usr/sbin/nft" }, checkNetwork, OK, ""},
		{"network rootless", true, nil, checkNetwork, OK, ""},
		{"network rootless no pasta", true, func(h *Host) { h.Pasta = "" }, checkNetwork, Warn, "sudo apt-get install passt"},
		{"network rootless slirp", true, func(h *Host) { h.Pasta, h.Slirp4netns = "", "/usr/bin/slirp4netns" }, checkNetwork, OK, ""},
		{"network rootless no tun", true, func(h *Host) { h.Tun = false }, checkNetwork, Warn, "sudo modprobe tun"},
		{"ip_forward on", false, nil, checkIPForward, OK, ""},
		{"ip_forward off", false, func(h *Host) { h.IPForward = "0\n" }, checkIPForward, Warn, "sudo sysctl -w net.ipv4.ip_forward=1"},
		{"store ok", false, nil, checkStoreFS, OK, ""},
		{"store on overlay", false, func(h *Host) { h.Store.FSType = "overlay" }, checkStoreFS, Fail, "--root"},
		{"store xfs ftype=0", false, func(h *Host) { h.Store.FSType, h.Store.DType = "xfs", false }, checkStoreFS, Fail, "mkfs.xfs -n ftype=1"},
		{"store noexec", false, func(h *Host) { h.Store.Options = []string{"rw", "nosuid", "noexec"} }, checkStoreFS, Warn, "--root"},
		{"store read-only", false, func(h *Host) { h.Store.Options = []string{"ro"} }, checkStoreFS, Fail, "--root"},
		{"disk ok", false, nil, checkDisk, OK, ""},
		{"disk low", false, func(h *Host) { h.Store.Free = 1 << 30 }, checkDisk, Warn, "pocket system prune -a"},
		{"disk full", false, func(h *Host) { h.Store.Free = 10 << 20 }, checkDisk, Fail, "pocket system prune -a --max-size 1GB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := good(tc.rootless)
			if tc.change != nil {
				tc.change(&h)
			}
			r := tc.check(h)
			if r.Status != tc.want {
				t.Errorf("status = %s (%s), want %s", r.Status, r.Message, tc.want)
			}
			if tc.fix == "" && r.Fix != "" {
				t.Errorf("fix %q for a passing check", r.Fix)
			}
			if !strings.Contains(r.Fix, tc.fix) {
				t.Errorf("fix = %q, want it to contain %q", r.Fix, tc.fix)
			}
			if r.Status != OK && r.Message == "" {
				t.Error("a problem without a message")
			}
		})
	}
}

func TestRegistry(t *testing.T) {
	if r := checkRegistry(Registry{Name: "docker.io"}); r.Status != OK {
		t.Errorf("reachable registry: %+v", r)
	}
	r := checkRegistry(Registry{Name: "docker.io", Err: "no such host"})
	if r.Status != Warn || !strings.Contains(r.Fix, "POCKET_REGISTRY_MIRROR") {
		t.Errorf("unreachable Docker Hub: %+v", r)
	}
	for name, want := range map[string]string{
		"docker.io":               "https://registry-1.docker.io/v2/",
		"http://127.0.0.1:5000":   "http://127.0.0.1:5000/v2/",
		"https://mirror.example/": "https://mirror.example/v2/",
		"mirror.example.com:5000": "https://mirror.example.com:5000/v2/",
	} {
		if got := registryURL(name); got != want {
			t.Errorf("registryURL(%q) = %q, want %q", name, got, want)
		}
	}
}

// Run asks the rootless checks only when rootless, and Failed is the exit
// status: a warning alone is no failure.
func TestRun(t *testing.T) {
	names := func(rs []Result) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Check)
		}
		return out
	}
	root := Run(good(false))
	if diff := cmp.Diff([]string{"kernel", "overlay", "userns", "cgroup", "network", "ip_forward", "store-fs", "disk", "registry docker.io"}, names(root)); diff != "" {
		t.Errorf("root checks (-want +got):\n%s", diff)
	}
	rootless := Run(good(true))
	for _, want := range []string{"overlay-userns", "subids", "newuidmap"} {
		if !slices.Contains(names(rootless), want) {
			t.Errorf("rootless checks lack %s: %v", want, names(rootless))
		}
	}
	if Failed(root) || Failed(rootless) {
		t.Errorf("a good host fails: %+v %+v", root, rootless)
	}
	h := good(true)
	h.Pasta, h.SubUID = "", nil
	if Failed(Run(h)) {
		t.Error("warnings alone fail")
	}
	h.MaxUserNS = "0"
	if !Failed(Run(h)) {
		t.Error("no user namespaces, rootless: does not fail")
	}
}
