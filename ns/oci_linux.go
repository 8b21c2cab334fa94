package ns

import (
	"fmt"
	"os"
	"strconv"

	"github.com/moby/sys/capability"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// nsFlags maps the OCI names of the namespaces init may join itself to
// their setns flags. These are per thread: init's locked thread joins
// them and exec keeps only that thread. The mount and user namespaces
// cannot be joined by a threaded Go process; the pid namespace applies to
// children only, so the parent joins it before it forks init.
var nsFlags = map[string]int{
	"network": unix.CLONE_NEWNET,
	"uts":     unix.CLONE_NEWUTS,
	"ipc":     unix.CLONE_NEWIPC,
	"cgroup":  unix.CLONE_NEWCGROUP,
}

// joinNamespaces enters each existing namespace of join, before init
// mounts or names anything.
func joinNamespaces(join []Namespace) error {
	for _, n := range join {
		flag, ok := nsFlags[n.Type]
		if !ok {
			return fmt.Errorf("join %s namespace %s: %w", n.Type, n.Path, ErrNoJoin)
		}
		fd, err := unix.Open(n.Path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return &os.PathError{Op: "open namespace", Path: n.Path, Err: err}
		}
		err = unix.Setns(fd, flag)
		unix.Close(fd)
		if err != nil {
			return &os.PathError{Op: "setns " + n.Type, Path: n.Path, Err: err}
		}
	}
	return nil
}

// joinProcess moves init's thread into the mount, network, uts, ipc and
// cgroup namespaces of the process behind pidfd (pid), through Join: one
// setns(2) of the pidfd where the kernel takes it, so a recycled pid can
// never send it elsewhere. A thread may join a mount namespace only if it
// shares no filesystem context with others: unshare(CLONE_FS) first;
// init's thread is locked and execs, so the other Go threads staying
// behind do not matter.
//
// Init does this itself, after it started from pocket's binary as the
// host sees it: were it started by a path inside the container's mount
// namespace (/proc/self/fd/N), a container able to mount could make that
// path its own program and have it run with the runtime's privileges.
func joinProcess(pidfd, pid int) error {
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		return fmt.Errorf("container init: unshare fs: %w", err)
	}
	flags := unix.CLONE_NEWNS | unix.CLONE_NEWNET | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC | unix.CLONE_NEWCGROUP
	if err := Join(pidfd, pid, flags); err != nil {
		return fmt.Errorf("container init: join the container's namespaces: %w", err)
	}
	unix.Close(pidfd)
	return nil
}

// bindRootfs makes an OCI bundle's root directory a mount point of its
// own, for pivot_root.
func bindRootfs(target string) error {
	if err := unix.Mount(target, target, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return &os.PathError{Op: "bind rootfs", Path: target, Err: err}
	}
	return nil
}

// credsUser is the execUser of OCI numeric credentials. HOME comes from the
// image's passwd entry for the uid when there is one, as runc does.
func credsUser(c *Creds) execUser {
	u := execUser{UID: int(c.UID), GID: int(c.GID), Home: "/"}
	if e, err := lookupUser(strconv.FormatUint(uint64(c.UID), 10), nil); err == nil {
		u.Home = e.Home
	}
	u.Groups = []int{}
	for _, g := range c.AdditionalGids {
		u.Groups = append(u.Groups, int(g))
	}
	return u
}

// setRlimits applies OCI process.rlimits to init, which the command keeps
// across exec.
func setRlimits(rl []specs.POSIXRlimit) error {
	for _, r := range rl {
		res, ok := rlimitByName[r.Type]
		if !ok {
			return fmt.Errorf("rlimit %s: unknown type", r.Type)
		}
		if err := unix.Prlimit(0, res, &unix.Rlimit{Cur: r.Soft, Max: r.Hard}, nil); err != nil {
			return fmt.Errorf("setrlimit %s: %w", r.Type, err)
		}
	}
	return nil
}

var rlimitByName = map[string]int{
	"RLIMIT_AS": unix.RLIMIT_AS, "RLIMIT_CORE": unix.RLIMIT_CORE, "RLIMIT_CPU": unix.RLIMIT_CPU,
	"RLIMIT_DATA": unix.RLIMIT_DATA, "RLIMIT_FSIZE": unix.RLIMIT_FSIZE, "RLIMIT_LOCKS": unix.RLIMIT_LOCKS,
	"RLIMIT_MEMLOCK": unix.RLIMIT_MEMLOCK, "RLIMIT_MSGQUEUE": unix.RLIMIT_MSGQUEUE, "RLIMIT_NICE": unix.RLIMIT_NICE,
	"RLIMIT_NOFILE": unix.RLIMIT_NOFILE, "RLIMIT_NPROC": unix.RLIMIT_NPROC, "RLIMIT_RSS": unix.RLIMIT_RSS,
	"RLIMIT_RTPRIO": unix.RLIMIT_RTPRIO, "RLIMIT_RTTIME": unix.RLIMIT_RTTIME, "RLIMIT_SIGPENDING": unix.RLIMIT_SIGPENDING,
	"RLIMIT_STACK": unix.RLIMIT_STACK,
}

// setOOMScoreAdj writes the process's oom_score_adj (kept across exec).
func setOOMScoreAdj(v *int) error {
	if v == nil {
		return nil
	}
	if err := os.WriteFile("/proc/self/oom_score_adj", []byte(strconv.Itoa(*v)), 0); err != nil {
		return fmt.Errorf("set oom_score_adj: %w", err)
	}
	return nil
}

// waitGate tells the parent the container is built (a byte on ReadyFD), then
// blocks opening the fifo for writing until `start` opens it for reading.
func waitGate(g *Gate) error {
	if g == nil {
		return nil
	}
	// One byte, then close: EOF without it tells the parent init died.
	if _, err := unix.Write(g.ReadyFD, []byte{1}); err != nil {
		return fmt.Errorf("container init: write ready pipe: %w", err)
	}
	unix.Close(g.ReadyFD)
	// The fifo is reopened through our own descriptor: its host path is
	// out of reach since pivot_root.
	fd, err := unix.Open("/proc/self/fd/"+strconv.Itoa(g.FifoFD), unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open exec fifo", Path: "exec.fifo", Err: err}
	}
	defer unix.Close(fd)
	if _, err := unix.Write(fd, []byte{0}); err != nil {
		return fmt.Errorf("write exec fifo: %w", err)
	}
	unix.Close(g.FifoFD)
	return nil
}

// applyCapSets switches to u keeping exactly the OCI capability sets.
// Names the kernel does not know are left out, as runc does.
func applyCapSets(u execUser, sets *specs.LinuxCapabilities) error {
	caps, last, err := loadCaps()
	if err != nil {
		return err
	}
	known := capByName()
	conv := func(names []string) []capability.Cap {
		var out []capability.Cap
		for _, n := range names {
			if c, ok := known[normalizeCap(n)]; ok && c <= last {
				out = append(out, c)
			}
		}
		return out
	}
	if err := becomeUser(caps, conv(sets.Bounding), u); err != nil {
		return err
	}
	caps.Set(capability.PERMITTED, conv(sets.Permitted)...)
	caps.Set(capability.EFFECTIVE, conv(sets.Effective)...)
	caps.Set(capability.INHERITABLE, conv(sets.Inheritable)...)
	caps.Set(capability.AMBIENT, conv(sets.Ambient)...)
	if err := caps.Apply(capability.CAPS | capability.AMBS); err != nil {
		return fmt.Errorf("set capabilities: %w", err)
	}
	return nil
}
