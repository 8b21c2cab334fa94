package ociruntime

import (
	"io"
	"path/filepath"
)

// DefaultRoot is runc's --root for pocket-runc's state directories.
const DefaultRoot = "/run/pocket-runc"

// Runtime is one --root of container state directories, and the global
// flags that go with it.
type Runtime struct {
	Root string
	// SystemdCgroup reads cgroupsPath as "slice:prefix:name"
	// (--systemd-cgroup); pocket still writes the cgroup through cgroupfs.
	SystemdCgroup bool
	// Stdin, Stdout and Stderr are the container's stdio when it has no
	// terminal (create hands them to init, as runc does).
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Warn reports what goes wrong without failing the command (a
	// poststart or poststop hook); nil drops it.
	Warn func(error)
}

// CreateOptions are create's and run's flags.
type CreateOptions struct {
	Bundle        string
	PidFile       string
	ConsoleSocket string
	NoPivot       bool // accepted; pocket always pivots
	NoNewKeyring  bool // accepted; pocket always gives a session keyring of its own
}

// ExecOptions are exec's flags.
type ExecOptions struct {
	ProcessFile   string // --process: a runtime-spec process JSON
	Detach        bool
	PidFile       string
	ConsoleSocket string
	// Without ProcessFile: the command and these.
	Args []string
	TTY  bool
	Cwd  string
	Env  []string
	User string // uid[:gid]
}

// initDir is where pocket's container init is kept (ns.SealedExe): a name
// no container ID can have, in the state root.
func (r *Runtime) initDir() string { return filepath.Join(r.Root, "@init") }
