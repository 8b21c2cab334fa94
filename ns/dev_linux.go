package ns

import (
	"fmt"
	"os"
	"path"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// The devices every container gets (OCI runtime-spec, "Default Devices").
var defaultDevices = []struct {
	name         string
	major, minor uint32
}{
	{"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7},
	{"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
}

// setupDev mounts a fresh /dev with the default devices (but those whose
// path is in replaced), its symlinks, /dev/pts, /dev/shm and /dev/mqueue.
func (r *root) setupDev(userNS bool, replaced []Device, shm Shm) error {
	if err := r.mount("tmpfs", "/dev", "tmpfs", unix.MS_NOSUID|unix.MS_STRICTATIME, "mode=755,size=65536k", kindSystem); err != nil {
		return err
	}
	h, err := r.open("/dev", kindSystem)
	if err != nil {
		return fmt.Errorf("open /dev: %w", err)
	}
	defer h.Close()
	// /dev is our fresh tmpfs: names in it are ours, *at calls are safe.
	dev, err := pathrs.Reopen(h, unix.O_DIRECTORY|unix.O_RDONLY)
	if err != nil {
		return fmt.Errorf("open /dev: %w", err)
	}
	defer dev.Close()
	dfd := int(dev.Fd())

next:
	for _, d := range defaultDevices {
		for _, o := range replaced {
			if path.Clean(o.Path) == "/dev/"+d.name {
				continue next
			}
		}
		n := node{mode: unix.S_IFCHR | 0o666, rdev: unix.Mkdev(d.major, d.minor), source: "/dev/" + d.name}
		if err := n.make(dfd, d.name, userNS); err != nil {
			return &os.PathError{Op: "create device", Path: "/dev/" + d.name, Err: err}
		}
	}
	links := map[string]string{
		"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1",
		"stderr": "/proc/self/fd/2", "ptmx": "pts/ptmx",
	}
	// runc's rule: /dev/core only where the kernel has /proc/kcore
	// (CONFIG_PROC_KCORE), so that it never dangles.
	if _, err := os.Stat("/proc/kcore"); err == nil {
		links["core"] = "/proc/kcore"
	}
	for name, target := range links {
		if err := unix.Symlinkat(target, dfd, name); err != nil {
			return &os.PathError{Op: "symlink", Path: "/dev/" + name, Err: err}
		}
	}
	for _, d := range []string{"pts", "shm", "mqueue"} {
		if err := unix.Mkdirat(dfd, d, 0o755); err != nil {
			return &os.PathError{Op: "mkdir", Path: "/dev/" + d, Err: err}
		}
	}

	const ptsFlags = unix.MS_NOSUID | unix.MS_NOEXEC
	err = r.mount("devpts", "/dev/pts", "devpts", ptsFlags, "newinstance,ptmxmode=0666,mode=0620,gid=5", kindSystem)
	if err != nil && userNS {
		// gid 5 (tty) may not be mapped in a rootless user namespace.
		err = r.mount("devpts", "/dev/pts", "devpts", ptsFlags, "newinstance,ptmxmode=0666,mode=0620", kindSystem)
	}
	if err != nil {
		return err
	}
	const nsd = unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV
	switch {
	case shm.Host:
		// --ipc host: the host's /dev/shm, as Docker binds it; init still
		// sees the host's /dev here (before pivot_root). mqueue shows the
		// IPC namespace it is mounted in, the host's.
		if err := r.bind("/dev/shm", "/dev/shm", kindSystem, 0); err != nil {
			return err
		}
		if _, err := os.Stat("/dev/mqueue/."); err == nil {
			return r.bind("/dev/mqueue", "/dev/mqueue", kindSystem, 0)
		}
		if userNS {
			// mqueue may be mounted only by a capability over the host's
			// IPC namespace, which rootless pocket has not: the host has
			// none mounted either.
			return nil
		}
	case shm.None:
	case shm.Source != "":
		if err := r.bind(shm.Source, "/dev/shm", kindSystem, 0); err != nil {
			return err
		}
	default:
		size := shm.Size
		if size == 0 {
			size = 64 << 20
		}
		if err := r.mount("shm", "/dev/shm", "tmpfs", nsd, fmt.Sprintf("mode=1777,size=%d", size), kindSystem); err != nil {
			return err
		}
	}
	return r.mount("mqueue", "/dev/mqueue", "mqueue", nsd, "", kindSystem)
}
