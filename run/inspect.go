package run

import (
	"time"

	"pocket/cgroup"
	"pocket/store"
)

// Inspection is Docker's container inspect document, in the subset pocket
// has to say.
type Inspection struct {
	ID              string            `json:"Id"`
	Created         time.Time         `json:"Created"`
	Path            string            `json:"Path"`
	Args            []string          `json:"Args"`
	State           InspectState      `json:"State"`
	Image           string            `json:"Image"`
	Name            string            `json:"Name"`
	LogPath         string            `json:"LogPath"`
	Config          InspectConfig     `json:"Config"`
	HostConfig      InspectHostConfig `json:"HostConfig"`
	Mounts          []MountPoint      `json:"Mounts"`
	NetworkSettings *NetworkSettings  `json:"NetworkSettings"`
}

// InspectState is inspect's State.
type InspectState struct {
	Status     string `json:"Status"`
	Running    bool   `json:"Running"`
	Paused     bool   `json:"Paused"`
	Restarting bool   `json:"Restarting"`
	OOMKilled  bool   `json:"OOMKilled"`
	Dead       bool   `json:"Dead"`
	Pid        int    `json:"Pid"`
	ExitCode   int    `json:"ExitCode"`
	Error      string `json:"Error"`
	StartedAt  string `json:"StartedAt"`
	FinishedAt string `json:"FinishedAt"`
}

// InspectConfig is inspect's Config.
type InspectConfig struct {
	Hostname   string   `json:"Hostname"`
	Env        []string `json:"Env"`
	Cmd        []string `json:"Cmd"`
	Entrypoint []string `json:"Entrypoint"`
	Image      string   `json:"Image"`
	WorkingDir string   `json:"WorkingDir"`
	User       string   `json:"User"`
	Tty        bool     `json:"Tty"`
	OpenStdin  bool     `json:"OpenStdin"`
	StopSignal string   `json:"StopSignal,omitempty"`
}

// InspectHostConfig is inspect's HostConfig.
type InspectHostConfig struct {
	Memory            int64             `json:"Memory"`
	MemorySwap        int64             `json:"MemorySwap"`
	NanoCpus          int64             `json:"NanoCpus"`
	CpuShares         int64             `json:"CpuShares"`
	PidsLimit         *int64            `json:"PidsLimit"`
	ReadonlyRootfs    bool              `json:"ReadonlyRootfs"`
	Privileged        bool              `json:"Privileged"`
	Devices           []DeviceMapping   `json:"Devices"`           // [] when none, as Docker
	DeviceCgroupRules []string          `json:"DeviceCgroupRules"` // null when none, as Docker
	CapAdd            []string          `json:"CapAdd"`
	CapDrop           []string          `json:"CapDrop"`
	SecurityOpt       []string          `json:"SecurityOpt"`
	NetworkMode       string            `json:"NetworkMode"`
	AutoRemove        bool              `json:"AutoRemove"`
	Tmpfs             map[string]string `json:"Tmpfs,omitempty"`
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
	in := &Inspection{
		ID: sp.ID, Created: sp.Created, Path: argv[0], Args: append([]string{}, argv[1:]...),
		State: InspectState{
			Status: st.Status, Running: st.Status == statusRunning, OOMKilled: st.OOMKilled,
			Pid: st.Pid, ExitCode: st.ExitCode, Error: st.Error,
			StartedAt: dockerTime(st.StartedAt), FinishedAt: dockerTime(st.FinishedAt),
		},
		Image: sp.Image.String(), Name: "/" + sp.Name, LogPath: c.dir + "/" + logFile,
		Config: InspectConfig{
			Hostname: sp.Hostname, Env: sp.Init.Process.Env, Cmd: sp.Cmd, Entrypoint: sp.Entrypoint,
			Image: sp.ImageName, WorkingDir: sp.WorkingDir, User: sp.User, Tty: sp.Tty, OpenStdin: sp.OpenStdin,
			StopSignal: sp.StopSignal,
		},
		HostConfig: InspectHostConfig{
			Memory: sp.Resources.Memory, MemorySwap: sp.Resources.MemorySwap,
			NanoCpus: int64(sp.Resources.CPUs * 1e9), CpuShares: int64(sp.Resources.CPUShares),
			ReadonlyRootfs: sp.ReadOnly, Privileged: sp.Privileged, CapAdd: sp.CapAdd, CapDrop: sp.CapDrop,
			SecurityOpt: sp.SecurityOpt, NetworkMode: sp.Network, AutoRemove: sp.AutoRemove,
			Devices: append([]DeviceMapping{}, sp.Devices...), DeviceCgroupRules: sp.DeviceCgroupRules,
		},
	}
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
