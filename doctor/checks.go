package doctor

import (
	"pocket/ns"

	"fmt"
	"slices"
	"strings"
)

// Run is every check, in the order doctor prints them.
func Run(h Host) []Result {
	rs := []Result{checkKernel(h), checkOverlay(h)}
	if h.Rootless {
		rs = append(rs, checkOverlayUserNS(h))
	}
	rs = append(rs, checkUserNS(h))
	if h.Rootless {
		rs = append(rs, checkSubIDs(h), checkIDMapHelpers(h))
	}
	rs = append(rs, checkCgroup(h), checkNetwork(h))
	if !h.Rootless {
		rs = append(rs, checkIPForward(h))
	}
	rs = append(rs, checkStoreFS(h), checkDisk(h))
	for _, r := range h.Registries {
		rs = append(rs, checkRegistry(r))
	}
	return rs
}

// kernelAtLeast compares uname -r; an unparsable release passes.
func kernelAtLeast(release string, major, minor int) bool {
	var ma, mi int
	if n, _ := fmt.Sscanf(release, "%d.%d", &ma, &mi); n != 2 {
		return true
	}
	return ma > major || (ma == major && mi >= minor)
}

func checkKernel(h Host) Result {
	const c = "kernel"
	var missing []string
	if !h.Pidfd {
		missing = append(missing, "pidfd (Linux 5.3): signals may reach a recycled pid")
	}
	if !h.Openat2 {
		missing = append(missing, "openat2 (Linux 5.6): slower path resolution inside images")
	}
	if len(missing) > 0 {
		return warn(c, "Linux "+h.Kernel+" lacks "+strings.Join(missing, "; "), "upgrade the kernel to Linux 5.6 or later")
	}
	return ok(c, "Linux "+h.Kernel+": pidfd, openat2")
}

func checkOverlay(h Host) Result {
	const c = "overlay"
	if strings.Contains(h.Filesystems, "\toverlay\n") || strings.HasSuffix(h.Filesystems, "\toverlay") {
		return ok(c, "overlay filesystem available")
	}
	if h.OverlayModule {
		return ok(c, "overlay module installed (the kernel loads it on first mount)")
	}
	if h.Rootless && h.FuseOverlayfs != "" {
		return warn(c, "no overlay filesystem in this kernel: containers use fuse-overlayfs (slower)", "sudo modprobe overlay")
	}
	return fail(c, "no overlay filesystem in this kernel (not in /proc/filesystems, no overlay module)", "sudo modprobe overlay")
}

// checkOverlayUserNS is rootfs.ChooseOverlay's question, asked ahead.
func checkOverlayUserNS(h Host) Result {
	const c = "overlay-userns"
	if kernelAtLeast(h.Kernel, 5, 11) {
		return ok(c, "Linux "+h.Kernel+" mounts overlay in a user namespace")
	}
	if h.FuseOverlayfs != "" && h.DevFuse {
		return warn(c, "Linux "+h.Kernel+" cannot mount overlay in a user namespace: using "+h.FuseOverlayfs+" (slower)", "upgrade the kernel to Linux 5.11 or later")
	}
	if h.FuseOverlayfs != "" {
		return fail(c, "fuse-overlayfs is installed but /dev/fuse is missing", "sudo modprobe fuse")
	}
	return fail(c, "Linux "+h.Kernel+" cannot mount overlay in a user namespace and fuse-overlayfs is not installed", "sudo apt-get install fuse-overlayfs")
}

// checkUserNS: rootless pocket starts by making a user namespace (see
// ns.EnterUserNS); as root only --userns would need one.
func checkUserNS(h Host) Result {
	const c = "userns"
	bad := func(msg, fix string) Result {
		if h.Rootless {
			return fail(c, msg+": rootless pocket cannot start", fix)
		}
		return warn(c, msg+": only root can run containers", fix)
	}
	if strings.TrimSpace(h.MaxUserNS) == "0" {
		return bad("user.max_user_namespaces=0", "sudo sysctl -w user.max_user_namespaces=15000")
	}
	if strings.TrimSpace(h.UnprivUsernsClone) == "0" {
		return bad("kernel.unprivileged_userns_clone=0", "sudo sysctl -w kernel.unprivileged_userns_clone=1")
	}
	if strings.TrimSpace(h.AppArmorRestrict) == "1" {
		return bad("kernel.apparmor_restrict_unprivileged_userns=1 (AppArmor denies capabilities in new user namespaces)",
			"sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0")
	}
	return ok(c, "unprivileged user namespaces allowed")
}

func checkSubIDs(h Host) Result {
	const c = "subids"
	fix := fmt.Sprintf("sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 %s", h.User)
	count := func(rs []ns.IDRange) int {
		n := 0
		for _, r := range rs {
			n += r.Count
		}
		return n
	}
	u, g := count(h.SubUID), count(h.SubGID)
	switch {
	case u == 0 || g == 0:
		return warn(c, fmt.Sprintf("no subordinate ids for %s in /etc/subuid and /etc/subgid: containers run with your id alone, and files an image gives to other users become yours", h.User), fix)
	case u < 65536 || g < 65536:
		return warn(c, fmt.Sprintf("%s has %d subordinate uids and %d gids: images using ids past them cannot be unpacked", h.User, u, g), fix)
	}
	return ok(c, fmt.Sprintf("%s has %d subordinate uids and %d gids", h.User, u, g))
}

func checkIDMapHelpers(h Host) Result {
	const c = "newuidmap"
	for _, t := range []struct {
		name string
		h    Helper
	}{{"newuidmap", h.NewUIDMap}, {"newgidmap", h.NewGIDMap}} {
		if t.h.Path == "" {
			return warn(c, t.name+" not found: containers run with your id alone", "sudo apt-get install uidmap")
		}
		if !t.h.Setuid && !t.h.Caps {
			return warn(c, t.h.Path+" is neither setuid root nor has file capabilities: it cannot map your subordinate ids",
				"sudo chown root "+t.h.Path+" && sudo chmod u+s "+t.h.Path)
		}
	}
	return ok(c, h.NewUIDMap.Path+" and "+h.NewGIDMap.Path+" can map subordinate ids")
}

func checkCgroup(h Host) Result {
	const c = "cgroup"
	g := h.Cgroup
	if !g.Mounted {
		if h.Rootless {
			return warn(c, "no cgroup hierarchy mounted: no resource limits", "sudo mount -t cgroup2 none /sys/fs/cgroup")
		}
		return fail(c, "no cgroup hierarchy mounted", "sudo mount -t cgroup2 none /sys/fs/cgroup")
	}
	version := "v1"
	switch {
	case g.Unified:
		version = "v2"
	case g.Hybrid:
		version = "v1 (hybrid, with a v2 mount)"
	}
	ctl := strings.Join(g.Controllers, " ")
	if !h.Rootless {
		return ok(c, "cgroup "+version+": "+ctl)
	}
	delegate := "sudo mkdir -p /etc/systemd/system/user@.service.d && printf '[Service]\\nDelegate=cpu cpuset io memory pids\\n' | sudo tee /etc/systemd/system/user@.service.d/delegate.conf && sudo systemctl daemon-reload"
	if !g.Unified {
		return warn(c, "cgroup "+version+": rootless containers get no resource limits (-m, --cpus, --pids-limit)",
			"boot with systemd.unified_cgroup_hierarchy=1 on the kernel command line")
	}
	if !g.Delegated {
		return warn(c, "cgroup v2 but no subtree delegated to "+h.User+": rootless containers get no resource limits", delegate)
	}
	var missing []string
	for _, want := range []string{"memory", "pids", "cpu"} {
		if !slices.Contains(g.Controllers, want) {
			missing = append(missing, want)
		}
	}
	if len(missing) > 0 {
		return warn(c, "cgroup v2 delegates "+ctl+" to "+h.User+", not "+strings.Join(missing, " "), delegate)
	}
	return ok(c, "cgroup v2, delegated to "+h.User+": "+ctl)
}

// checkNetwork: rootless bridge networking needs pasta or slirp4netns and
// /dev/net/tun; root's bridge needs iptables or nft for NAT.
func checkNetwork(h Host) Result {
	const c = "network"
	if h.Rootless {
		if h.Pasta == "" && h.Slirp4netns == "" {
			return warn(c, "neither pasta nor slirp4netns: rootless containers get --network none by default", "sudo apt-get install passt")
		}
		if !h.Tun {
			return warn(c, "no /dev/net/tun: pasta and slirp4netns cannot run", "sudo modprobe tun")
		}
		tool := h.Pasta
		if tool == "" {
			tool = h.Slirp4netns
		}
		return ok(c, "rootless bridge networking with "+tool)
	}
	if h.Iptables == "" && h.Nft == "" {
		return warn(c, "neither iptables nor nft: bridge networking has no NAT and -p publishes nothing", "sudo apt-get install iptables")
	}
	tool := h.Iptables
	if tool == "" {
		tool = h.Nft
	}
	return ok(c, "bridge networking with "+tool)
}

func checkIPForward(h Host) Result {
	const c = "ip_forward"
	if strings.TrimSpace(h.IPForward) == "1" {
		return ok(c, "net.ipv4.ip_forward=1")
	}
	return warn(c, "net.ipv4.ip_forward="+strings.TrimSpace(h.IPForward)+": pocket turns it on for the first bridge container (and leaves it on)",
		"sudo sysctl -w net.ipv4.ip_forward=1")
}

// checkStoreFS: the store holds overlay's upper and lower directories.
func checkStoreFS(h Host) Result {
	const c = "store-fs"
	s := h.Store
	move := "pocket --root /path/on/another/filesystem ... (or set POCKET_ROOT)"
	if s.Err != "" {
		return warn(c, "store "+s.Path+": "+s.Err, "mkdir -p "+s.Path)
	}
	switch {
	case s.FSType == "overlay":
		return fail(c, "store "+s.Path+" is on overlay: overlay cannot use it as an upper directory", move)
	case !s.DType:
		fix := move
		if s.FSType == "xfs" {
			fix = "mkfs.xfs -n ftype=1 (reformat), or " + move
		}
		return fail(c, "store "+s.Path+" is on "+s.FSType+" without d_type (xfs ftype=0): overlay needs it", fix)
	case slices.Contains(s.Options, "ro"):
		return fail(c, "store "+s.Path+" is on a read-only mount", move)
	case slices.Contains(s.Options, "noexec"), slices.Contains(s.Options, "nosuid"), slices.Contains(s.Options, "nodev"):
		var opts []string
		for _, o := range s.Options {
			if o == "noexec" || o == "nosuid" || o == "nodev" {
				opts = append(opts, o)
			}
		}
		return warn(c, "store "+s.Path+" is on a "+strings.Join(opts, ",")+" mount: images may not run as built", move)
	}
	return ok(c, "store "+s.Path+" on "+s.FSType)
}

func checkDisk(h Host) Result {
	const c = "disk"
	s := h.Store
	if s.Err != "" {
		return warn(c, "free space unknown: "+s.Err, "mkdir -p "+s.Path)
	}
	free := fmt.Sprintf("%.1f GB free for %s", float64(s.Free)/1e9, s.Path)
	switch {
	case s.Free < 100<<20:
		return fail(c, free, "pocket system prune -a --max-size 1GB")
	case s.Free < 2<<30:
		return warn(c, free, "pocket system prune -a")
	}
	return ok(c, free)
}

func checkRegistry(r Registry) Result {
	c := "registry " + r.Name
	if r.Err != "" {
		if r.Name == "docker.io" {
			return warn(c, "unreachable: "+r.Err+": pulls from Docker Hub fail", "export POCKET_REGISTRY_MIRROR=https://MIRROR (a reachable Docker Hub mirror)")
		}
		return warn(c, "unreachable: "+r.Err+": pulls try the next mirror", "curl -sSI "+registryURL(r.Name)+"  # then fix or drop the mirror in --registry-mirror")
	}
	return ok(c, "reachable")
}
