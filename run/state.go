package run

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"pocket/cgroup"
	"pocket/ns"
	"pocket/plan"
	"pocket/store"
)

// Files in a container's directory.
const (
	specFile  = "config.json"
	stateFile = "state.json"
	logFile   = "container.log"
	// controlFile is the monitor's socket (see control.go).
	controlFile = "control.sock"
)

// Container status values, as Docker names them.
const (
	statusCreated = "created"
	statusRunning = "running"
	statusExited  = "exited"
	// statusRestarting is a container waiting to be run again by its
	// restart policy; its monitor lives.
	statusRestarting = "restarting"
	// statusPaused is shown, never recorded: a running container whose
	// cgroup is frozen (see paused).
	statusPaused = "paused"
)

// spec is a container's configuration (config.json): what init is given
// plus what inspect and ps show. It is written once, at creation.
type spec struct {
	ID         string           `json:"id"`
	Name       string           `json:"name"`
	Image      v1.Hash          `json:"image"`
	ImageName  string           `json:"imageName"` // as the user typed it
	Created    time.Time        `json:"created"`
	Entrypoint []string         `json:"entrypoint"`
	Cmd        []string         `json:"cmd"`
	Env        []string         `json:"env"` // configured (image + user), not daemon defaults
	WorkingDir string           `json:"workingDir"`
	User       string           `json:"user"`
	Hostname   string           `json:"hostname"`
	Tty        bool             `json:"tty"`
	OpenStdin  bool             `json:"openStdin"`
	AutoRemove bool             `json:"autoRemove"`
	Detach     bool             `json:"detach,omitempty"`  // -d: inspect's Attach* are false
	Volumes    []string         `json:"volumes,omitempty"` // the image's VOLUMEs and -v /path, for inspect's Config.Volumes
	Binds      []string         `json:"binds,omitempty"`   // -v SOURCE:TARGET[:MODE] as typed, for inspect's HostConfig.Binds
	StopSignal string           `json:"stopSignal,omitempty"`
	Network    string           `json:"network"`
	Resources  cgroup.Resources `json:"resources"`
	ReadOnly   bool             `json:"readOnly"`
	Privileged bool             `json:"privileged"`
	CapAdd     []string         `json:"capAdd,omitempty"`
	CapDrop    []string         `json:"capDrop,omitempty"`
	Devices    []DeviceMapping  `json:"devices,omitempty"`
	// DeviceCgroupRules are --device-cgroup-rule as given, for inspect.
	DeviceCgroupRules []string `json:"deviceCgroupRules,omitempty"`
	// SecurityOpt is --security-opt as given, for inspect.
	SecurityOpt []string     `json:"securityOpt,omitempty"`
	Mounts      []MountPoint `json:"mounts,omitempty"` // -v, --mount and image VOLUMEs, for inspect
	// Labels are the image's and --label-file's and -l's, the later
	// winning.
	Labels        map[string]string  `json:"labels,omitempty"`
	RestartPolicy plan.RestartPolicy `json:"restartPolicy"`
	StopTimeout   *int               `json:"stopTimeout,omitempty"`
	Ulimits       []plan.Rlimit      `json:"ulimits,omitempty"`
	GroupAdd      []string           `json:"groupAdd,omitempty"`
	// Healthcheck is the image's HEALTHCHECK under run's --health-*;
	// nil for none.
	Healthcheck *v1.HealthConfig `json:"healthcheck,omitempty"`
	Init        ns.Config        `json:"init"`
	Net         netSpec          `json:"net"`
	// Namespaces are --pid, --ipc, --uts, --userns and --cgroupns (and
	// --network container:) as plan read them; Join the containers they
	// name, by ID.
	Namespaces plan.Namespaces `json:"namespaces"`
	Join       joinSpec        `json:"join,omitempty"`
	// ShmSize, Sysctls and OomScoreAdj are for inspect; init has its own.
	ShmSize     int64             `json:"shmSize,omitempty"`
	Sysctls     map[string]string `json:"sysctls,omitempty"`
	OomScoreAdj int               `json:"oomScoreAdj,omitempty"`

	// netFrom is the directory of the container whose network this one
	// joins, for its hosts and resolv.conf (at create).
	netFrom string
	// joins are the joined containers' inits, opened at start.
	joins []joined

	// initCache is the store's directory for pocket's container init
	// (ns.SealedExe).
	initCache string

	// beforeConfig runs once the container's init exists, before it is
	// sent its configuration (see startProcess).
	beforeConfig func(pid int) error
}

// State is a container's run state (state.json). While a container runs,
// its monitor is the only writer.
type State struct {
	Status     string    `json:"status"`
	Pid        int       `json:"pid,omitempty"`
	MonitorPid int       `json:"monitorPid,omitempty"`
	ExitCode   int       `json:"exitCode"`
	OOMKilled  bool      `json:"oomKilled"`
	Error      string    `json:"error,omitempty"`
	StartedAt  time.Time `json:"startedAt"`
	FinishedAt time.Time `json:"finishedAt"`
	Net        *netState `json:"net,omitempty"` // while running
	// RestartCount is how often the restart policy started it again since
	// it was last started by hand.
	RestartCount int `json:"restartCount,omitempty"`
	// ManuallyStopped is Docker's HasBeenManuallyStopped: the last run
	// ended by stop, kill with the stop signal or KILL, or rm -f, not on
	// its own (nor with its monitor, at a reboot). `start --boot` leaves
	// such an unless-stopped container stopped; a start clears it.
	ManuallyStopped bool `json:"manuallyStopped,omitempty"`
}

// writeJSON replaces dir/name atomically: a reader sees the old or the new
// file, never a partial one, even if pocket is killed midway. It does not
// fsync: a container's state matters only while the container lives, and
// a start must not wait behind the disk's writeback (the store fsyncs what
// outlives a reboot: images, layers, container records).
func writeJSON(dir, name string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+name+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(append(data, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Rename(f.Name(), filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

func readJSON(dir, name string, v any) error {
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("read %s: %w", filepath.Join(dir, name), err)
	}
	return nil
}

// container is one container as read from the store.
type container struct {
	dir   string
	spec  spec
	state State
}

// load finds a container by ID, prefix or name and reads its files; its
// state is the effective one (see effective).
func load(s *store.Store, idOrName string) (*container, error) {
	rec, err := s.LookupContainer(idOrName)
	if err != nil {
		return nil, err
	}
	return loadID(s, rec.ID)
}

func loadID(s *store.Store, id string) (*container, error) {
	c := &container{dir: s.ContainerDir(id)}
	if err := readJSON(c.dir, specFile, &c.spec); err != nil {
		return nil, fmt.Errorf("container %s: %w", id, err)
	}
	if err := readJSON(c.dir, stateFile, &c.state); err != nil {
		return nil, fmt.Errorf("container %s: %w", id, err)
	}
	if c.spec.ID == "" {
		c.spec.ID = id
	}
	if (c.state.Status == statusRunning || c.state.Status == statusRestarting) && !monitorAlive(s, id) {
		c.state.monitorDied()
	}
	return c, nil
}

// monitorDied is the state of a running container whose monitor died
// without recording the end (SIGKILL, reboot): its container died with it
// of SIGKILL (Pdeathsig, PID namespace), so it exited 137, as Docker
// shows a container killed with its shim.
func (st *State) monitorDied() {
	st.Status = statusExited
	st.Pid = 0
	st.Net = nil
	if st.ExitCode == 0 {
		st.ExitCode = 128 + 9
	}
	if st.FinishedAt.IsZero() {
		st.FinishedAt = st.StartedAt
	}
}

func (c *container) writeState() error { return writeJSON(c.dir, stateFile, &c.state) }

// monitorLock names the flock a container's monitor holds for its life.
func monitorLock(id string) string { return "container-" + id }

// specLock guards a read, change and write of a container's config.json
// (update, rename); readers need not take it, since writeJSON replaces the
// file whole.
func specLock(id string) string { return "spec-" + id }

// monitorAlive reports whether a process holds the container's monitor
// lock; unlike a pid it cannot be confused by pid reuse.
func monitorAlive(s *store.Store, id string) bool {
	unlock, ok, err := s.TryLock(monitorLock(id))
	if err != nil {
		return false
	}
	if ok {
		unlock()
		return false
	}
	return true
}
