package doctor

import "pocket/ns"

// Host is everything the checks read. Gather fills it from the machine;
// tests fill it by hand. A file's content is "" when it is absent.
type Host struct {
	Rootless bool   // privilege.Rootless's answer
	User     string // login name, for the fix commands
	UID      int

	Kernel  string // uname -r
	Openat2 bool   // openat2(2) answered (Linux 5.6)
	Pidfd   bool   // pidfd_open(2) answered (Linux 5.3)

	Filesystems   string // /proc/filesystems
	OverlayModule bool   // overlay.ko is installed for this kernel (loads on first mount)

	MaxUserNS         string // /proc/sys/user/max_user_namespaces
	UnprivUsernsClone string // /proc/sys/kernel/unprivileged_userns_clone (Debian)
	AppArmorRestrict  string // /proc/sys/kernel/apparmor_restrict_unprivileged_userns (Ubuntu 24.04)

	SubUID, SubGID       []ns.IDRange // the user's ranges in /etc/subuid, /etc/subgid
	NewUIDMap, NewGIDMap Helper

	Tun           bool   // /dev/net/tun is a character device
	Pasta         string // path, "" when not on $PATH
	Slirp4netns   string
	FuseOverlayfs string
	DevFuse       bool // /dev/fuse is there
	Iptables      string
	Nft           string
	IPForward     string // /proc/sys/net/ipv4/ip_forward

	Cgroup Cgroup
	Store  Store

	Registries []Registry
}

// Helper is a setuid id-mapping tool (newuidmap, newgidmap).
type Helper struct {
	Path   string // "" when not on $PATH
	Setuid bool   // owned by root with the setuid bit
	Caps   bool   // has file capabilities (security.capability), as Fedora ships them
}

// Cgroup is the cgroup setup seen by this process.
type Cgroup struct {
	Unified     bool     // cgroup v2 at /sys/fs/cgroup
	Hybrid      bool     // v1 with a v2 mount at /sys/fs/cgroup/unified
	Mounted     bool     // any cgroup hierarchy is mounted
	Controllers []string // v2: available at pocket's parent; v1: hierarchies mounted
	Delegated   bool     // rootless: a writable delegated subtree exists (cgroup.Parent)
}

// Store is the filesystem the store lives on.
type Store struct {
	Path    string
	FSType  string   // "overlay", "xfs", "ext4", "tmpfs", ...
	Options []string // mount options: noexec, nosuid, ro ...
	DType   bool     // readdir reports file types (xfs ftype=1); overlay needs it
	Free    uint64   // bytes available to pocket
	Err     string   // why the rest is unknown
}

// Registry is one registry or mirror pocket was told to use.
type Registry struct {
	Name string // as configured: a mirror URL, or docker.io
	Err  string // "" when /v2/ answered
}
