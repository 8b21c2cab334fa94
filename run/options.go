package run

import (
	"io"
	"time"

	"pocket/plan"
)

// Options is `pocket run`'s command line, as main fills it; Parse turns
// it into a Plan before anything else reads it.
type Options = plan.Options

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

	// What ps's templates and filters see beyond the JSON line (which
	// keeps its shape).
	FullCommand string            `json:"-"` // unabridged, for --no-trunc
	ImageID     string            `json:"-"` // sha256:..., for ancestor
	ExitCode    int               `json:"-"`
	Mounts      []string          `json:"-"` // volume names or bind sources
	Network     string            `json:"-"`
	Labels      map[string]string `json:"-"`
	SizeRw      int64             `json:"-"` // bytes written in the container, measured by DiskUsage only
	Health      string            `json:"-"` // starting, healthy, unhealthy or none
}

// LogsOptions is `pocket logs`.
type LogsOptions struct {
	Follow bool
	Tail   int // -1 for all
	// Timestamps (-t) prefixes each line with its time.
	Timestamps bool
	// Since and Until (zero for none) keep the entries logged in between,
	// both included.
	Since, Until time.Time
	Stdout       io.Writer
	Stderr       io.Writer
}

// MonitorCommand is the hidden argv[1] of the detached monitor process that
// `run -d` starts; main dispatches it to Monitor before CLI parsing.
const MonitorCommand = "monitor"

// DeviceMapping is one --device, as inspect shows it in
// HostConfig.Devices (plan.DeviceMapping).
type DeviceMapping = plan.DeviceMapping
