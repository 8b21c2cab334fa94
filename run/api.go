package run

// This file is the run package's contract with main; bodies are filled in
// by the implementation.

import (
	"context"
	"errors"
	"io"
	"time"

	"pocket/cgroup"
	"pocket/pull"
	"pocket/store"
)

var errTODO = errors.New("not implemented yet")

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
	Network     string // none|host (default none)
	Resources   cgroup.Resources
	ReadOnly    bool
	Tmpfs       []string
	CapAdd      []string
	CapDrop     []string
	Privileged  bool
	SecurityOpt []string
	Init        bool

	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// Run creates and starts a container. Attached, it waits and returns the
// container's exit status (0..255); detached, it prints the ID and returns 0.
// An error is pocket's own (status 125, or 126/127 via ExitError).
func Run(ctx context.Context, s *store.Store, o Options) (int, error) { return 125, errTODO }

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

// List is `pocket ps` (all includes exited containers).
func List(s *store.Store, all bool) ([]Summary, error) { return nil, errTODO }

// LogsOptions is `pocket logs`.
type LogsOptions struct {
	Follow bool
	Tail   int // -1 for all
	Stdout io.Writer
	Stderr io.Writer
}

// Logs prints a container's recorded output.
func Logs(ctx context.Context, s *store.Store, id string, o LogsOptions) error { return errTODO }

// Stop sends SIGTERM (or the image's StopSignal), then SIGKILL after timeout.
func Stop(s *store.Store, id string, timeout time.Duration) error { return errTODO }

// Kill sends a signal (name or number) to the container's PID 1.
func Kill(s *store.Store, id, signal string) error { return errTODO }

// Remove deletes a container (force stops a running one first; volumes
// removes its anonymous volumes).
func Remove(s *store.Store, id string, force, volumes bool) error { return errTODO }

// Prune removes all stopped containers and returns their IDs.
func Prune(s *store.Store) ([]string, error) { return nil, errTODO }

// Wait blocks until the container exits and returns its exit status.
func Wait(ctx context.Context, s *store.Store, id string) (int, error) { return 0, errTODO }

// Inspect returns Docker-shaped inspect data for a container.
func Inspect(s *store.Store, id string) (any, error) { return nil, errTODO }

// MonitorCommand is the hidden argv[1] of the detached monitor process that
// `run -d` starts; main dispatches it to Monitor before CLI parsing.
const MonitorCommand = "monitor"

// Monitor runs a detached container to its end and returns pocket's exit status.
func Monitor(args []string) int { return 125 }
