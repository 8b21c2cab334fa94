package plan

import (
	"io"

	"github.com/google/go-containerregistry/pkg/name"

	"pocket/cgroup"
	"pocket/pull"
)

// Options is `pocket run`'s command line.
type Options struct {
	Image       string
	Args        []string // CMD override
	Pull        string   // missing|always|never
	PullOpts    pull.Options
	Name        string
	Remove      bool     // --rm
	Detach      bool     // -d
	Interactive bool     // -i
	TTY         bool     // -t
	Env         []string // -e K=V or K
	EnvFiles    []string
	Workdir     string
	User        string
	Entrypoint  *string // nil: image's; "" clears it
	Hostname    string
	Network     string   // bridge|none|host ("": bridge as root, see parseNetwork)
	Publish     []string // -p [HOSTIP:][HOSTPORT:]CONTAINERPORT[/PROTO]
	PublishAll  bool     // -P: every port the image exposes
	DNS         []string // --dns servers
	DNSSearch   []string // --dns-search domains
	DNSOptions  []string // --dns-option options
	AddHost     []string // --add-host HOST:IP (IP may be host-gateway)
	Resources   cgroup.Resources
	ReadOnly    bool
	Tmpfs       []string
	Volumes     []string // -v
	Mounts      []string // --mount
	CapAdd      []string
	CapDrop     []string
	Privileged  bool
	Devices     []string // --device HOST[:CONTAINER[:PERMS]]
	// DeviceCgroupRules are --device-cgroup-rule, "c 1:3 rwm".
	DeviceCgroupRules []string
	SecurityOpt       []string
	Init              bool
	Health            HealthOptions

	CIDFile     string   // --cidfile: the ID is written there
	Labels      []string // -l KEY[=VALUE]
	LabelFiles  []string // --label-file
	StopSignal  string   // --stop-signal ("" for the image's)
	StopTimeout *int     // --stop-timeout seconds (nil for stop's default)
	Ulimits     []string // --ulimit NAME=SOFT[:HARD]
	GroupAdd    []string // --group-add GROUP (name or gid)
	Restart     string   // --restart no|on-failure[:N]|always|unless-stopped

	// What needs more than a number, read by Parse: Docker's
	// DEVICE:WEIGHT and DEVICE:RATE, --shm-size, --sysctl KEY=VALUE.
	BlkioWeightDevice []string
	DeviceReadBps     []string
	DeviceWriteBps    []string
	DeviceReadIOps    []string
	DeviceWriteIOps   []string
	ShmSize           string
	Sysctls           []string
	OomScoreAdj       int
	// Namespace modes: --pid, --ipc, --uts, --userns, --cgroupns.
	PidMode      string
	IpcMode      string
	UTSMode      string
	UsernsMode   string
	CgroupnsMode string

	// Ref is Image parsed once, by reference.Parse, where the command line
	// is read; nil when Image is no reference but an image ID.
	Ref name.Reference
	// Archive is Image when it names an archive transport
	// (docker-archive:, oci-archive:, oci:); Ref is nil then.
	Archive *pull.Archive

	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}
