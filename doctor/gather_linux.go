package doctor

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"pocket/cgroup"
	"pocket/ns"
)

// Options say what Gather looks at beyond the host itself.
type Options struct {
	Rootless   bool          // privilege.Rootless's answer
	Store      string        // the store directory (--root)
	Registries []string      // mirrors, then docker.io
	Timeout    time.Duration // per registry probe
}

// Gather reads the host: /proc, /sys, /etc/subuid and /etc/subgid, $PATH,
// the store's mount, and each registry's /v2/. It changes nothing.
func Gather(ctx context.Context, o Options) Host {
	h := Host{Rootless: o.Rootless, UID: os.Getuid()}
	h.User = strconv.Itoa(h.UID)
	if u, err := user.LookupId(h.User); err == nil {
		h.User = u.Username
	}
	var uts unix.Utsname
	if unix.Uname(&uts) == nil {
		h.Kernel = unix.ByteSliceToString(uts.Release[:])
	}
	h.Openat2 = probeOpenat2()
	h.Pidfd = probePidfd()
	h.Filesystems = readString("/proc/filesystems")
	h.OverlayModule = exists("/sys/module/overlay") || overlayModuleInstalled(h.Kernel)
	h.MaxUserNS = readString("/proc/sys/user/max_user_namespaces")
	h.UnprivUsernsClone = readString("/proc/sys/kernel/unprivileged_userns_clone")
	h.AppArmorRestrict = readString("/proc/sys/kernel/apparmor_restrict_unprivileged_userns")
	h.SubUID = subIDs("/etc/subuid", h.User, h.UID)
	h.SubGID = subIDs("/etc/subgid", h.User, h.UID)
	h.NewUIDMap = helper("newuidmap")
	h.NewGIDMap = helper("newgidmap")
	h.Tun = isCharDevice("/dev/net/tun")
	h.DevFuse = isCharDevice("/dev/fuse")
	h.Pasta = lookPath("pasta")
	h.Slirp4netns = lookPath("slirp4netns")
	h.FuseOverlayfs = lookPath("fuse-overlayfs")
	h.Iptables = lookPath("iptables")
	h.Nft = lookPath("nft")
	h.IPForward = readString("/proc/sys/net/ipv4/ip_forward")
	h.Cgroup = gatherCgroup(o.Rootless)
	h.Store = gatherStore(o.Store)
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Second
	}
	h.Registries = probeRegistries(ctx, o.Registries, o.Timeout)
	return h
}

func readString(p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		return ""
	}
	return string(b)
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func isCharDevice(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode()&fs.ModeCharDevice != 0
}

func lookPath(name string) string {
	p, err := exec.LookPath(name)
	if err != nil {
		return ""
	}
	return p
}

func probeOpenat2() bool {
	fd, err := unix.Openat2(unix.AT_FDCWD, "/", &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC})
	if err != nil {
		return !errors.Is(err, unix.ENOSYS)
	}
	unix.Close(fd)
	return true
}

func probePidfd() bool {
	fd, err := unix.PidfdOpen(os.Getpid(), 0)
	if err != nil {
		return !errors.Is(err, unix.ENOSYS)
	}
	unix.Close(fd)
	return true
}

func overlayModuleInstalled(release string) bool {
	m, _ := filepath.Glob(filepath.Join("/lib/modules", release, "kernel/fs/overlayfs/overlay.ko*"))
	return len(m) > 0
}

func subIDs(file, name string, id int) []ns.IDRange {
	f, err := os.Open(file)
	if err != nil {
		return nil
	}
	defer f.Close()
	r, _ := ns.SubIDs(f, name, id)
	return r
}

func helper(name string) Helper {
	h := Helper{Path: lookPath(name)}
	if h.Path == "" {
		return h
	}
	var st unix.Stat_t
	if unix.Stat(h.Path, &st) == nil {
		h.Setuid = st.Uid == 0 && st.Mode&unix.S_ISUID != 0
	}
	sz, err := unix.Getxattr(h.Path, "security.capability", nil)
	h.Caps = err == nil && sz > 0
	return h
}

func gatherCgroup(rootless bool) Cgroup {
	var g Cgroup
	var st unix.Statfs_t
	if unix.Statfs("/sys/fs/cgroup", &st) == nil {
		g.Unified = st.Type == unix.CGROUP2_SUPER_MAGIC
		g.Mounted = g.Unified || st.Type == unix.TMPFS_MAGIC
	}
	if !g.Unified {
		if unix.Statfs("/sys/fs/cgroup/unified", &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC {
			g.Hybrid = true
		}
		// v1: one directory per mounted hierarchy.
		for _, l := range strings.Split(readString("/proc/cgroups"), "\n") {
			f := strings.Fields(l)
			if len(f) == 4 && !strings.HasPrefix(f[0], "#") && f[3] == "1" {
				g.Controllers = append(g.Controllers, f[0])
			}
		}
		g.Mounted = g.Mounted && len(g.Controllers) > 0
		return g
	}
	parent, delegated := cgroup.Parent(rootless)
	g.Delegated = delegated
	g.Controllers = strings.Fields(readString(filepath.Join("/sys/fs/cgroup", parent, "cgroup.controllers")))
	return g
}

// gatherStore looks at the store directory, or the nearest directory
// above it that exists (a fresh host has no store yet).
func gatherStore(dir string) Store {
	s := Store{Path: dir}
	p := dir
	for !exists(p) && p != "/" && p != "." {
		p = filepath.Dir(p)
	}
	var st unix.Statfs_t
	if err := unix.Statfs(p, &st); err != nil {
		s.Err = err.Error()
		return s
	}
	s.Free = st.Bavail * uint64(st.Bsize)
	s.FSType = fsName(st.Type)
	s.Options = mountOptions(p)
	s.DType = hasDType(p)
	return s
}

func fsName(t int64) string {
	switch t {
	case unix.OVERLAYFS_SUPER_MAGIC:
		return "overlay"
	case unix.XFS_SUPER_MAGIC:
		return "xfs"
	case unix.EXT4_SUPER_MAGIC:
		return "ext4"
	case unix.BTRFS_SUPER_MAGIC:
		return "btrfs"
	case unix.TMPFS_MAGIC:
		return "tmpfs"
	case unix.NFS_SUPER_MAGIC:
		return "nfs"
	}
	return "0x" + strconv.FormatInt(t, 16)
}

// mountOptions are the per-mount options of the mount holding p, from
// /proc/self/mountinfo (the longest mount point that is a prefix of p).
func mountOptions(p string) []string {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		real = p
	}
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	return mountOptionsIn(data, real)
}

// mountOptionsIn finds the mount holding real (a path without symlinks)
// in a mountinfo's text.
func mountOptionsIn(data []byte, real string) []string {
	best, opts := "", ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 6 {
			continue
		}
		mp := unescapeMount(f[4])
		if (real == mp || strings.HasPrefix(real, strings.TrimSuffix(mp, "/")+"/")) && len(mp) >= len(best) {
			best, opts = mp, f[5]
		}
	}
	return strings.Split(opts, ",")
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// hasDType reports whether readdir in dir tells file types, which overlay
// needs (xfs formatted with ftype=0 does not). A directory pocket cannot
// write is read as it is.
func hasDType(dir string) bool {
	probe, err := os.MkdirTemp(dir, ".pocket-doctor-")
	if err != nil {
		return dirHasDType(dir)
	}
	defer os.RemoveAll(probe)
	if err := os.WriteFile(filepath.Join(probe, "f"), nil, 0o600); err != nil {
		return true
	}
	return dirHasDType(probe)
}

func dirHasDType(dir string) bool {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return true
	}
	defer unix.Close(fd)
	buf := make([]byte, 8192)
	n, err := unix.Getdents(fd, buf)
	if err != nil || n == 0 {
		return true
	}
	// linux_dirent64: ino 8, off 8, reclen 2, type 1, name.
	for off := 0; off+19 <= n; {
		reclen := int(buf[off+16]) | int(buf[off+17])<<8
		typ := buf[off+18]
		name := unix.ByteSliceToString(buf[off+19 : off+reclen])
		if name != "." && name != ".." {
			return typ != unix.DT_UNKNOWN
		}
		if reclen == 0 {
			break
		}
		off += reclen
	}
	return true
}
