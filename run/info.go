package run

import (
	"os"
	"runtime"
	"strings"

	"pocket/cgroup"
	"pocket/privilege"
	"pocket/rootfs"
	"pocket/store"
)

// Info is `pocket info`: Docker's system info fields that apply to a
// runner without a daemon, under Docker's names so that templates such
// as {{.CgroupVersion}} or {{json .}} written for docker work.
type Info struct {
	Containers        int
	ContainersRunning int
	ContainersPaused  int
	ContainersStopped int
	Images            int
	Driver            string
	DockerRootDir     string
	CgroupDriver      string
	CgroupVersion     string
	KernelVersion     string
	OperatingSystem   string
	OSType            string
	Architecture      string
	NCPU              int
	MemTotal          int64
	SecurityOptions   []string
	RegistryConfig    RegistryConfig
	Name              string
	ServerVersion     string
	DefaultRuntime    string
	LoggingDriver     string
	Rootless          bool
	Warnings          []string
	Plugins           Plugins
	// DefaultNofile is the open files limit containers start with, and
	// whether it is Docker's or the host's lower hard limit.
	DefaultNofile string
}

// Plugins are Docker's built-in drivers pocket has.
type Plugins struct {
	Volume  []string
	Network []string
	Log     []string
}

// RegistryConfig is Docker's: the mirrors and insecure registries pulls use.
type RegistryConfig struct {
	Mirrors               []string
	InsecureRegistryCIDRs []string
}

// SystemInfo gathers Info; mirrors and insecure are the registries pocket
// was given, serverVersion pocket's version.
func SystemInfo(s *store.Store, mirrors, insecure []string, serverVersion string) (Info, error) {
	cs, err := List(s, ListOptions{All: true})
	if err != nil {
		return Info{}, err
	}
	imgs, err := s.Images()
	if err != nil {
		return Info{}, err
	}
	rootless := privilege.Rootless()
	in := Info{
		Images: len(imgs), DockerRootDir: s.Root(), CgroupDriver: "cgroupfs", CgroupVersion: "1",
		OSType: runtime.GOOS, Architecture: kernelArch(), NCPU: runtime.NumCPU(), Driver: "overlay2",
		ServerVersion: serverVersion, DefaultRuntime: "pocket", LoggingDriver: "json-file", Rootless: rootless,
		RegistryConfig:  RegistryConfig{Mirrors: nonNil(mirrors), InsecureRegistryCIDRs: nonNil(insecure)},
		OperatingSystem: osRelease("/etc/os-release"), Warnings: []string{},
		Plugins: Plugins{Volume: []string{"local"}, Network: []string{"bridge", "host", "null"}, Log: []string{"json-file"}},
	}
	in.Name, _ = os.Hostname()
	in.DefaultNofile = DefaultNofile().String()
	if cgroup.Unified() {
		in.CgroupVersion = "2"
	}
	if o, err := rootfs.ChooseOverlay(rootless); err == nil && o == rootfs.Fuse {
		in.Driver = "fuse-overlayfs"
	}
	in.SecurityOptions = []string{"name=seccomp,profile=builtin"}
	if rootless {
		in.SecurityOptions = append(in.SecurityOptions, "name=rootless")
	}
	if cgroup.Unified() {
		in.SecurityOptions = append(in.SecurityOptions, "name=cgroupns")
	}
	in.KernelVersion, in.MemTotal = kernelInfo()
	for _, c := range cs {
		in.Containers++
		switch c.State {
		case statusRunning:
			in.ContainersRunning++
		case statusPaused:
			in.ContainersPaused++
		default:
			in.ContainersStopped++
		}
	}
	return in, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// osRelease is PRETTY_NAME of os-release(5), as Docker's Operating System.
func osRelease(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return runtime.GOOS
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "PRETTY_NAME="); ok {
			return strings.Trim(v, `"'`)
		}
	}
	return runtime.GOOS
}
