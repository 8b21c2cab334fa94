package run

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"pocket/cgroup"
	"pocket/plan"
	"pocket/store"
)

// Inspection is Docker's container inspect document (API ContainerJSON),
// its keys in Docker's order, in the subset pocket has to say.
type Inspection struct {
	ID              string            `json:"Id"`
	Created         time.Time         `json:"Created"`
	Path            string            `json:"Path"`
	Args            []string          `json:"Args"`
	State           InspectState      `json:"State"`
	Image           string            `json:"Image"`
	ResolvConfPath  string            `json:"ResolvConfPath"`
	HostnamePath    string            `json:"HostnamePath"`
	HostsPath       string            `json:"HostsPath"`
	LogPath         string            `json:"LogPath"`
	Name            string            `json:"Name"`
	RestartCount    int               `json:"RestartCount"`
	Driver          string            `json:"Driver"`
	Platform        string            `json:"Platform"`
	MountLabel      string            `json:"MountLabel"`
	ProcessLabel    string            `json:"ProcessLabel"`
	AppArmorProfile string            `json:"AppArmorProfile"`
	ExecIDs         []string          `json:"ExecIDs"`
	HostConfig      InspectHostConfig `json:"HostConfig"`
	GraphDriver     GraphDriver       `json:"GraphDriver"`
	Mounts          []MountPoint      `json:"Mounts"`
	Config          InspectConfig     `json:"Config"`
	NetworkSettings *NetworkSettings  `json:"NetworkSettings"`
}

// GraphDriver is where the container's filesystem lives, as Docker's
// overlay2 driver reports it.
type GraphDriver struct {
	Data map[string]string `json:"Data"`
	Name string            `json:"Name"`
}

// InspectState is inspect's State.
type InspectState struct {
	Status     string  `json:"Status"`
	Running    bool    `json:"Running"`
	Paused     bool    `json:"Paused"`
	Restarting bool    `json:"Restarting"`
	OOMKilled  bool    `json:"OOMKilled"`
	Dead       bool    `json:"Dead"`
	Pid        int     `json:"Pid"`
	ExitCode   int     `json:"ExitCode"`
	Error      string  `json:"Error"`
	StartedAt  string  `json:"StartedAt"`
	FinishedAt string  `json:"FinishedAt"`
	Health     *Health `json:"Health,omitempty"`
}

// InspectConfig is inspect's Config, keys in Docker's order.
type InspectConfig struct {
	Hostname     string            `json:"Hostname"`
	Domainname   string            `json:"Domainname"`
	User         string            `json:"User"`
	AttachStdin  bool              `json:"AttachStdin"`
	AttachStdout bool              `json:"AttachStdout"`
	AttachStderr bool              `json:"AttachStderr"`
	Tty          bool              `json:"Tty"`
	OpenStdin    bool              `json:"OpenStdin"`
	StdinOnce    bool              `json:"StdinOnce"`
	Env          []string          `json:"Env"`
	Cmd          []string          `json:"Cmd"`
	Healthcheck  *v1.HealthConfig  `json:"Healthcheck,omitempty"`
	Image        string            `json:"Image"`
	Volumes      map[string]any    `json:"Volumes"`
	WorkingDir   string            `json:"WorkingDir"`
	Entrypoint   []string          `json:"Entrypoint"`
	OnBuild      []string          `json:"OnBuild"`
	Labels       map[string]string `json:"Labels"`
	StopSignal   string            `json:"StopSignal,omitempty"`
	StopTimeout  *int              `json:"StopTimeout,omitempty"`
}

// InspectHostConfig is inspect's HostConfig.
type InspectHostConfig struct {
	Binds             []string        `json:"Binds"` // null when none, as Docker
	Memory            int64           `json:"Memory"`
	MemorySwap        int64           `json:"MemorySwap"`
	NanoCpus          int64           `json:"NanoCpus"`
	CpuShares         int64           `json:"CpuShares"`
	PidsLimit         *int64          `json:"PidsLimit"`
	ReadonlyRootfs    bool            `json:"ReadonlyRootfs"`
	Privileged        bool            `json:"Privileged"`
	Devices           []DeviceMapping `json:"Devices"`           // [] when none, as Docker
	DeviceCgroupRules []string        `json:"DeviceCgroupRules"` // null when none, as Docker
	CapAdd            []string        `json:"CapAdd"`
	CapDrop           []string        `json:"CapDrop"`
	SecurityOpt       []string        `json:"SecurityOpt"`
	NetworkMode       string          `json:"NetworkMode"`
	AutoRemove        bool            `json:"AutoRemove"`
	// LogConfig is Docker's default logging driver, the one pocket has.
	LogConfig LogConfig `json:"LogConfig"`
	// PortBindings are -p and -P as asked (HostPort "" for a free one).
	PortBindings  map[string][]PortBinding `json:"PortBindings"`
	Tmpfs         map[string]string        `json:"Tmpfs,omitempty"`
	RestartPolicy RestartPolicy            `json:"RestartPolicy"`
	Ulimits       []Ulimit                 `json:"Ulimits"`
	GroupAdd      []string                 `json:"GroupAdd"`
	InspectResources
	InspectNamespaces
}

// InspectResources are HostConfig's other resource fields, with Docker's
// names and units (bytes, µs; [] for an empty device list, as Docker).
type InspectResources struct {
	BlkioWeight          uint16                  `json:"BlkioWeight"`
	BlkioWeightDevice    []inspectWeightDevice   `json:"BlkioWeightDevice"`
	BlkioDeviceReadBps   []inspectThrottleDevice `json:"BlkioDeviceReadBps"`
	BlkioDeviceWriteBps  []inspectThrottleDevice `json:"BlkioDeviceWriteBps"`
	BlkioDeviceReadIOps  []inspectThrottleDevice `json:"BlkioDeviceReadIOps"`
	BlkioDeviceWriteIOps []inspectThrottleDevice `json:"BlkioDeviceWriteIOps"`
	CpuPeriod            int64                   `json:"CpuPeriod"`
	CpuQuota             int64                   `json:"CpuQuota"`
	CpuRealtimePeriod    int64                   `json:"CpuRealtimePeriod"`
	CpuRealtimeRuntime   int64                   `json:"CpuRealtimeRuntime"`
	CpusetCpus           string                  `json:"CpusetCpus"`
	CpusetMems           string                  `json:"CpusetMems"`
	KernelMemory         int64                   `json:"KernelMemory"`
	MemoryReservation    int64                   `json:"MemoryReservation"`
	MemorySwappiness     *int64                  `json:"MemorySwappiness"`
	OomKillDisable       bool                    `json:"OomKillDisable"`
	OomScoreAdj          int                     `json:"OomScoreAdj"`
	ShmSize              int64                   `json:"ShmSize"`
	Sysctls              map[string]string       `json:"Sysctls,omitempty"`
}

// InspectNamespaces are HostConfig's namespace modes.
type InspectNamespaces struct {
	PidMode      string `json:"PidMode"`
	IpcMode      string `json:"IpcMode"`
	UTSMode      string `json:"UTSMode"`
	UsernsMode   string `json:"UsernsMode"`
	CgroupnsMode string `json:"CgroupnsMode"`
}

type inspectWeightDevice struct {
	Path   string `json:"Path"`
	Weight uint16 `json:"Weight"`
}

type inspectThrottleDevice struct {
	Path string `json:"Path"`
	Rate uint64 `json:"Rate"`
}

// LogConfig is HostConfig.LogConfig.
type LogConfig struct {
	Type   string            `json:"Type"`
	Config map[string]string `json:"Config"`
}

// RestartPolicy is --restart, as inspect shows it.
type RestartPolicy = plan.RestartPolicy

// Ulimit is one --ulimit, as inspect shows it.
type Ulimit = plan.Rlimit

// zeroTime is how Docker shows a time that has not happened.
const zeroTime = "0001-01-01T00:00:00Z"

func dockerTime(t time.Time) string {
	if t.IsZero() {
		return zeroTime
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// Inspect returns Docker-shaped inspect data for a container.
func Inspect(s *store.Store, id string) (any, error) {
	c, err := load(s, id)
	if err != nil {
		return nil, err
	}
	sp, st := &c.spec, &c.state
	argv := sp.Init.Process.Args
	// docker run attaches stdout and stderr unless -d, stdin with -i,
	// and then closes stdin when the client detaches (StdinOnce).
	attach := !sp.Detach
	labels := sp.Labels
	if labels == nil {
		labels = map[string]string{}
	}
	in := &Inspection{
		ID: sp.ID, Created: sp.Created, Path: argv[0], Args: append([]string{}, argv[1:]...),
		State: InspectState{
			Status: st.Status, Running: st.Status == statusRunning || st.Status == statusRestarting,
			Restarting: st.Status == statusRestarting, Paused: c.paused(), OOMKilled: st.OOMKilled,
			Pid: st.Pid, ExitCode: st.ExitCode, Error: st.Error,
			StartedAt: dockerTime(st.StartedAt), FinishedAt: dockerTime(st.FinishedAt),
		},
		Image:          sp.Image.String(),
		ResolvConfPath: filepath.Join(c.dir, "resolv.conf"), HostnamePath: filepath.Join(c.dir, "hostname"),
		HostsPath: filepath.Join(c.dir, "hosts"), LogPath: filepath.Join(c.dir, logFile),
		Name: "/" + sp.Name, Driver: graphDriver(sp), Platform: "linux",
		Config: InspectConfig{
			Hostname: sp.Hostname, User: sp.User,
			AttachStdin: attach && sp.OpenStdin, AttachStdout: attach, AttachStderr: attach,
			Tty: sp.Tty, OpenStdin: sp.OpenStdin, StdinOnce: attach && sp.OpenStdin,
			Env: sp.Env, Cmd: sp.Cmd, Healthcheck: sp.Healthcheck, Image: sp.ImageName, WorkingDir: sp.WorkingDir,
			Entrypoint: sp.Entrypoint, Labels: labels, StopSignal: sp.StopSignal, StopTimeout: sp.StopTimeout,
		},
		RestartCount: st.RestartCount,
		HostConfig: InspectHostConfig{
			Memory: sp.Resources.Memory, MemorySwap: sp.Resources.MemorySwap,
			NanoCpus: int64(sp.Resources.CPUs * 1e9), CpuShares: int64(sp.Resources.CPUShares),
			ReadonlyRootfs: sp.ReadOnly, Privileged: sp.Privileged, CapAdd: sp.CapAdd, CapDrop: sp.CapDrop,
			SecurityOpt: sp.SecurityOpt, NetworkMode: sp.Network, AutoRemove: sp.AutoRemove,
			Devices: append([]DeviceMapping{}, sp.Devices...), DeviceCgroupRules: sp.DeviceCgroupRules,
			RestartPolicy: sp.RestartPolicy, Ulimits: sp.Ulimits, GroupAdd: sp.GroupAdd, Binds: sp.Binds,
		},
		GraphDriver: GraphDriver{Name: graphDriver(sp), Data: map[string]string{
			"LowerDir":  strings.Join(sp.Init.Rootfs.Lower, ":"),
			"MergedDir": sp.Init.Rootfs.Target, "UpperDir": sp.Init.Rootfs.Upper, "WorkDir": sp.Init.Rootfs.Work,
		}},
	}
	if len(sp.Volumes) > 0 {
		in.Config.Volumes = map[string]any{}
		for _, v := range sp.Volumes {
			in.Config.Volumes[v] = struct{}{}
		}
	}
	in.HostConfig.LogConfig = LogConfig{Type: "json-file", Config: map[string]string{}}
	in.HostConfig.PortBindings = map[string][]PortBinding{}
	for _, p := range sp.Net.Ports {
		k := fmt.Sprintf("%d/%s", p.ContainerPort, p.Proto)
		hp := ""
		if p.HostPort != 0 {
			hp = fmt.Sprint(p.HostPort)
		}
		in.HostConfig.PortBindings[k] = append(in.HostConfig.PortBindings[k], PortBinding{HostIP: p.HostIP, HostPort: hp})
	}
	if in.State.Paused {
		in.State.Status = statusPaused
	}
	if in.HostConfig.RestartPolicy.Name == "" {
		in.HostConfig.RestartPolicy.Name = plan.RestartNo
	}
	in.State.Health = readHealth(c)
	in.HostConfig.InspectResources = inspectResources(sp)
	n := sp.Namespaces
	in.HostConfig.InspectNamespaces = InspectNamespaces{PidMode: n.PidMode, IpcMode: n.IpcMode, UTSMode: n.UTSMode,
		UsernsMode: n.UsernsMode, CgroupnsMode: n.CgroupnsMode}
	in.NetworkSettings = networkSettings(c)
	if sp.Resources.PidsLimit != 0 {
		p := sp.Resources.PidsLimit
		in.HostConfig.PidsLimit = &p
	}
	in.Mounts = append([]MountPoint{}, sp.Mounts...)
	// --tmpfs shows in HostConfig.Tmpfs only; --mount type=tmpfs in Mounts.
	mounted := map[string]bool{}
	for _, m := range sp.Mounts {
		mounted[m.Destination] = true
	}
	for _, m := range sp.Init.Mounts {
		if m.Type == "tmpfs" && !mounted[m.Target] {
			if in.HostConfig.Tmpfs == nil {
				in.HostConfig.Tmpfs = map[string]string{}
			}
			in.HostConfig.Tmpfs[m.Target] = joinOpts(m.Options, m.Readonly)
		}
	}
	return in, nil
}

// graphDriver names the storage driver as docker info and inspect do:
// overlay2, or fuse-overlayfs where pocket mounts through FUSE (rootless
// without kernel overlay in a user namespace).
func graphDriver(sp *spec) string {
	if sp.Init.Rootfs.Premounted {
		return "fuse-overlayfs"
	}
	return "overlay2"
}

func joinOpts(opts []string, ro bool) string {
	s := ""
	if ro {
		s = "ro"
	}
	for _, o := range opts {
		if s != "" {
			s += ","
		}
		s += o
	}
	return s
}

// inspectResources is HostConfig's view of the recorded limits.
func inspectResources(sp *spec) InspectResources {
	r := sp.Resources
	throttle := func(ds []cgroup.ThrottleDevice) []inspectThrottleDevice {
		out := []inspectThrottleDevice{}
		for _, d := range ds {
			out = append(out, inspectThrottleDevice{d.Path, d.Rate})
		}
		return out
	}
	weights := []inspectWeightDevice{}
	for _, d := range r.BlkioWeightDevice {
		weights = append(weights, inspectWeightDevice{d.Path, d.Weight})
	}
	return InspectResources{
		BlkioWeight: r.BlkioWeight, BlkioWeightDevice: weights,
		BlkioDeviceReadBps: throttle(r.BlkioDeviceReadBps), BlkioDeviceWriteBps: throttle(r.BlkioDeviceWriteBps),
		BlkioDeviceReadIOps: throttle(r.BlkioDeviceReadIOps), BlkioDeviceWriteIOps: throttle(r.BlkioDeviceWriteIOps),
		CpuPeriod: r.CPUPeriod, CpuQuota: r.CPUQuota, CpuRealtimePeriod: r.CPURealtimePeriod, CpuRealtimeRuntime: r.CPURealtimeRuntime,
		CpusetCpus: r.CpusetCpus, CpusetMems: r.CpusetMems, KernelMemory: r.KernelMemory,
		MemoryReservation: r.MemoryReservation, MemorySwappiness: r.MemorySwappiness,
		OomKillDisable: r.OomKillDisable, OomScoreAdj: sp.OomScoreAdj, ShmSize: sp.ShmSize, Sysctls: sp.Sysctls,
	}
}
