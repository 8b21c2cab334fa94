package run

import (
	"io"
	"time"

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
	Network     string   // bridge|none|host ("": bridge as root, see defaultNetwork)
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

	// Ref is Image parsed once, by reference.Parse, where the command line
	// is read; nil when Image is no reference but an image ID.
	Ref name.Reference

	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// ExitError carries an exit status other than 125 with its message.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// Summary is one row of `pocket ps`.
type Summary struct {
	ID      string    `json:"Id"`
	Name    string    `json:"Names"`
	Image   string    `json:"Image"`
	Command string    `json:"Command"`
	Created time.Time `json:"CreatedAt"`
	Status  string    `json:"Status"` // "Up 3 minutes", "Exited (0) 2 seconds ago", "Created"
	State   string    `json:"State"`  // created|running|exited
	Ports   string    `json:"Ports"`
}

// LogsOptions is `pocket logs`.
type LogsOptions struct {
	Follow bool
	Tail   int // -1 for all
	Stdout io.Writer
	Stderr io.Writer
}

// MonitorCommand is the hidden argv[1] of the detached monitor process that
// `run -d` starts; main dispatches it to Monitor before CLI parsing.
const MonitorCommand = "monitor"
