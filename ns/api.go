package ns

// This file is the contract between run (the parent) and init (the child):
// the file descriptors, the Config sent over ConfigFD and the Error sent
// back over ErrorFD.

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"pocket/trace"
)

// File descriptors the parent passes in ExtraFiles.
const (
	ConfigFD = 3 // the child reads one JSON Config from it, then EOF
	ErrorFD  = 4 // close-on-exec; the child writes an *Error as JSON on failure
	// ConsoleFD is passed only with Process.Terminal: a unix stream socket
	// over which init sends the master of the pty it makes in the
	// container's own devpts (see ReceiveConsole). The parent answers with
	// one byte once it has sized the terminal, and init goes on.
	ConsoleFD = 5
)

// Config is everything init needs, sent as JSON over ConfigFD. The parent
// writes it only after placing the child in its cgroup.
type Config struct {
	ID       string  `json:"id"` // the container's; names its session keyring
	Rootfs   Rootfs  `json:"rootfs"`
	Process  Process `json:"process"`
	Hostname string  `json:"hostname"`
	Mounts   []Mount `json:"mounts,omitempty"` // after the standard ones, in order
	Files    []File  `json:"files,omitempty"`  // /etc/hosts, /etc/hostname, /etc/resolv.conf
	// Devices are made after Mounts and Files (as runc does), besides the
	// default /dev nodes; one with a default's path replaces it.
	Devices  []Device `json:"devices,omitempty"`
	Security Security `json:"security"`
	Network  string   `json:"network"` // "none" (bring lo up) or "host"
	UserNS   bool     `json:"userns"`  // running in a new user namespace (rootless)
	// Cgroups makes the container's cgroup visible at /sys/fs/cgroup. On
	// cgroup v1 it maps a controller name ("memory", "cpu,cpuacct") to the
	// host directory of this container's cgroup, bind-mounted read-only at
	// /sys/fs/cgroup/<name> over a tmpfs as Docker does. On cgroup v2 the
	// single key "unified" mounts cgroup2 read-only inside the cgroup
	// namespace (its value is unused).
	Cgroups map[string]string `json:"cgroups,omitempty"`
	// Nofile, when set, is the RLIMIT_NOFILE (soft and hard) the command
	// starts with: Docker's default, or the host's hard limit below it.
	Nofile uint64 `json:"nofile,omitempty"`

	// The fields below serve the OCI runtime front door (package
	// ociruntime), which translates a bundle's config.json to this Config;
	// pocket run leaves them zero. See oci.go.

	// Paths, when set, replaces Docker's masked and read-only paths.
	Paths *Paths `json:"paths,omitempty"`
	// Join are namespaces init enters (setns) before anything else.
	Join []Namespace `json:"join,omitempty"`
	// Gate holds init before it execs the command, for `create` then
	// `start`.
	Gate *Gate `json:"gate,omitempty"`
	// Joined says init runs inside a running container (exec): it joins
	// the namespaces of the pidfd at descriptor JoinFD (all but the user
	// and pid namespaces: the parent starts it in the pid namespace) and
	// sets up no rootfs, hostname or pivot_root.
	// JoinPid is that process's pid, for kernels whose setns takes no
	// pidfd (Join's /proc fallback, checked against the pidfd).
	Joined  bool `json:"joined,omitempty"`
	JoinFD  int  `json:"joinFD,omitempty"`
	JoinPid int  `json:"joinPid,omitempty"`

	// DieWithParent makes init arm PR_SET_PDEATHSIG (SIGKILL) itself.
	DieWithParent bool `json:"dieWithParent,omitempty"`

	// Shm is /dev/shm and /dev/mqueue (see Shm).
	Shm Shm `json:"shm"`
	// Sysctls are written in the container's procfs before it is made
	// read-only: --sysctl (the namespaced keys package plan allows) or a
	// bundle's linux.sysctl.
	Sysctls map[string]string `json:"sysctls,omitempty"`
}

// Shm is how the container gets /dev/shm: a tmpfs of Size bytes (64 MiB
// when 0) in its own IPC namespace; with Host, the host's /dev/shm and
// /dev/mqueue (--ipc host); with None, no /dev/shm at all (--ipc none);
// with Source, that host directory (a shareable container's tmpfs, its
// own or, for --ipc container:, the donor's).
type Shm struct {
	Size   int64  `json:"size,omitempty"`
	Host   bool   `json:"host,omitempty"`
	None   bool   `json:"none,omitempty"`
	Source string `json:"source,omitempty"`
}

// Rootfs is an overlay of image layers, mounted by init inside its own
// mount namespace (nothing is mounted on the host).
type Rootfs struct {
	Lower     []string `json:"lower"` // topmost layer first (overlay order)
	Upper     string   `json:"upper"`
	Work      string   `json:"work"`
	Target    string   `json:"target"` // empty directory to mount at
	ReadOnly  bool     `json:"readonly"`
	UserXattr bool     `json:"userxattr"` // mount option for overlay in a user namespace
	// Bind says Target is a directory already filled (an OCI bundle's
	// root.path): init bind-mounts it on itself, no overlay; Lower is
	// empty.
	Bind bool `json:"bind,omitempty"`
	// Premounted says the parent has mounted the overlay at Target itself
	// (rootless fuse-overlayfs, in the parent's mount namespace, which
	// init's copies): init mounts nothing there, it only pivots into it.
	Premounted bool `json:"premounted,omitempty"`
}

// Process is what to exec and as whom.
type Process struct {
	Args     []string `json:"args"`
	Env      []string `json:"env"`
	Cwd      string   `json:"cwd"`
	User     string   `json:"user"` // "", "name", "uid", "uid:gid", "name:group"
	Terminal bool     `json:"terminal"`
	Init     bool     `json:"init"` // pocket stays PID 1 as a reaper (--init)
	// GroupAdd are supplementary groups besides the user's (--group-add):
	// names, looked up in the container's /etc/group, or gids.
	GroupAdd []string `json:"groupAdd,omitempty"`
	// Creds, when set, are the numeric uid, gid and exactly the
	// supplementary groups (OCI process.user) instead of User.
	Creds *Creds `json:"creds,omitempty"`
	// Rlimits are set before exec (--ulimit; RLIMIT_NOFILE, ...).
	Rlimits []specs.POSIXRlimit `json:"rlimits,omitempty"`
	// OOMScoreAdj, when set, is written to /proc/self/oom_score_adj
	// (--oom-score-adj, a bundle's process.oomScoreAdj); the command
	// inherits it across exec.
	OOMScoreAdj *int `json:"oomScoreAdj,omitempty"`
}

// Mount is a bind, volume or tmpfs mount. Target is inside the container and
// is resolved inside the rootfs; Source is a host path.
type Mount struct {
	Type     string   `json:"type"` // "bind" or "tmpfs"
	Source   string   `json:"source,omitempty"`
	Target   string   `json:"target"`
	Options  []string `json:"options,omitempty"` // "ro", "nosuid", "size=64m", "mode=1777", ...
	Readonly bool     `json:"readonly,omitempty"`
}

// File is a host file bind-mounted over a path in the container (created
// if missing), the way Docker provides /etc/hosts.
type File struct {
	Source   string `json:"source"`
	Target   string `json:"target"`
	Readonly bool   `json:"readonly,omitempty"` // --read-only: Docker mounts them read-only too
}

// Device is a device node in the container: the OCI runtime-spec's
// linux.devices entry (Path inside the container, resolved inside the
// rootfs; type b or c; major:minor; mode and owner) and the host node it
// stands for. In a user namespace, where the kernel refuses mknod, Source
// is bind-mounted instead, as rootless podman and runc do.
type Device struct {
	specs.LinuxDevice
	Source string `json:"source"`
}

// Security is the privilege the process keeps.
type Security struct {
	Privileged      bool     `json:"privileged"`
	CapAdd          []string `json:"capAdd,omitempty"`  // "NET_ADMIN" or "CAP_NET_ADMIN" or "ALL"
	CapDrop         []string `json:"capDrop,omitempty"` // likewise
	NoNewPrivileges bool     `json:"noNewPrivileges"`
	Seccomp         *Seccomp `json:"seccomp,omitempty"` // nil: unconfined
	// Caps, when set, are the exact capability sets (OCI
	// process.capabilities) instead of Privileged, CapAdd and CapDrop.
	Caps *specs.LinuxCapabilities `json:"caps,omitempty"`
}

// Seccomp is a compiled seccomp filter: classic BPF, struct sock_filter
// entries in the machine's byte order, and the SECCOMP_FILTER_FLAG_*
// (log, spec_allow) its profile asks for. The parent compiles it (package
// seccomp) so that init, which runs on every start, only installs it.
type Seccomp struct {
	Program []byte `json:"program"`
	Flags   uint   `json:"flags,omitempty"`
}

// Error is a setup failure reported to the parent. Code is the exit status
// pocket should use: 125 for its own errors, 126 when the command cannot be
// executed, 127 when it is not found.
type Error struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Message }

// DefaultCaps are Docker's 14 default capabilities.
var DefaultCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// NamespaceFD is passed to "pocket exec-init" only: a pidfd of the
// container's PID 1, whose namespaces it joins (see Join), or, where the
// kernel has no pidfds, /dev/null and ExecConfig.Pid alone.
const NamespaceFD = 6

// ExecConfig is what "pocket exec-init" needs to start one more process
// in a running container (pocket exec, a healthcheck), sent as JSON over
// ConfigFD like Config. Its parent has already put it in the container's
// PID namespace and cgroup; it joins the others itself. ErrorFD and
// ConsoleFD (with Process.Terminal) are as for init.
type ExecConfig struct {
	ID       string   `json:"id"` // the container's; names its session keyring
	Process  Process  `json:"process"`
	Security Security `json:"security"`
	// Pid is the container's PID 1 as the host's /proc shows it, for
	// kernels whose setns takes no pidfd.
	Pid int `json:"pid"`
	// Namespaces are the CLONE_NEW* flags of the namespaces to join.
	Namespaces int `json:"namespaces"`
}

// ExecInitCommand is os.Args[1] of exec-init (see ExecInit), which main
// dispatches before any CLI parsing as it does "init".
const ExecInitCommand = "exec-init"

// ChildEnv is the environment of a pocket child started into a container
// (init, exec-init), which otherwise gets none of its parent's: the
// command it execs gets Process.Env instead. One P is all a child that
// works on one locked thread needs: the Go runtime then starts fewer
// threads, and with them fewer context switches and page faults, in
// every start (and it reads no cgroup CPU limit to size GOMAXPROCS).
// TraceEnv passes on tracing.
func ChildEnv() []string {
	env := []string{"GOMAXPROCS=1"}
	if trace.On {
		env = append(env, trace.Env+"=1")
	}
	return env
}
