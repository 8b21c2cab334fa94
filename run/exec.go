package run

import (
	"os"
	"time"
)

// ExecOptions is `pocket exec`'s command line.
type ExecOptions struct {
	Container   string
	Args        []string
	Interactive bool // -i: the command reads Stdin
	TTY         bool // -t: a pty from the container's devpts
	Detach      bool // -d: start it and return
	Privileged  bool // every capability, as run --privileged
	User        string
	Workdir     string
	Env         []string // K=V, over the container's (plan.ExecEnv)
	Stdin       *os.File
	Stdout      *os.File
	Stderr      *os.File
}

// execRequest is an exec on the control socket: what to run, and which
// descriptors came with it, in order ("stdin", "stdout", "stderr",
// "console"); one missing is /dev/null.
type execRequest struct {
	Args       []string `json:"args"`
	Env        []string `json:"env,omitempty"`
	User       string   `json:"user,omitempty"`
	Workdir    string   `json:"workdir,omitempty"`
	Tty        bool     `json:"tty,omitempty"`
	Privileged bool     `json:"privileged,omitempty"`
	// Detach with Tty: the monitor keeps the pty (exec -d -t), since
	// the client does not stay.
	Detach bool     `json:"detach,omitempty"`
	Files  []string `json:"files,omitempty"`
}

// file is the descriptor named name among those sent with r, or nil.
func (r *execRequest) file(files []*os.File, name string) *os.File {
	for i, n := range r.Files {
		if n == name && i < len(files) {
			return files[i]
		}
	}
	return nil
}

// execWait is how long an exec's client keeps copying output after the
// command has exited, for what it wrote last; processes it left behind
// may hold the streams open for ever (moby waits as long in
// daemon/monitor.go).
const execWait = 2 * time.Second
