package run

import (
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

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

// InspectConfig is inspect's Config.
type InspectConfig struct {
	Hostname    string           `json:"Hostname"`
	Env         []string         `json:"Env"`
	Cmd         []string         `json:"Cmd"`
	Entrypoint  []string         `json:"Entrypoint"`
	Image       string           `json:"Image"`
	WorkingDir  string           `json:"WorkingDir"`
	User        string           `json:"User"`
	Tty         bool             `json:"Tty"`
	OpenStdin   bool             `json:"OpenStdin"`
	StopSignal  string           `json:"StopSignal,omitempty"`
	Healthcheck *v1.HealthConfig `json:"Healthcheck,omitempty"`
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
			StopSignal: sp.StopSignal, Healthcheck: sp.Healthcheck,
		},
		HostConfig: InspectHostConfig{
			Memory: sp.Resources.Memory, MemorySwap: sp.Resources.MemorySwap,
			NanoCpus: int64(sp.Resources.CPUs * 1e9), CpuShares: int64(sp.Resources.CPUShares),
			ReadonlyRootfs: sp.ReadOnly, Privileged: sp.Privileged, CapAdd: sp.CapAdd, CapDrop: sp.CapDrop,
			SecurityOpt: sp.SecurityOpt, NetworkMode: sp.Network, AutoRemove: sp.AutoRemove,
			Devices: append([]DeviceMapping{}, sp.Devices...), DeviceCgroupRules: sp.DeviceCgroupRules,
		},
	}
	in.State.Health = readHealth(c)
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
