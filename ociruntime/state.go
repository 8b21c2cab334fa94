package ociruntime

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"pocket/ns"
)

// State is what `state` prints: runc's JSON (the OCI state plus rootfs,
// created and owner), which go-runc and containerd decode.
type State struct {
	OCIVersion  string            `json:"ociVersion"`
	ID          string            `json:"id"`
	Pid         int               `json:"pid"`
	Status      string            `json:"status"`
	Bundle      string            `json:"bundle"`
	Rootfs      string            `json:"rootfs"`
	Created     time.Time         `json:"created"`
	Owner       string            `json:"owner"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Container statuses, the runtime-spec's plus runc's "paused".
const (
	Creating = "creating"
	Created  = "created"
	Running  = "running"
	Paused   = "paused"
	Stopped  = "stopped"
)

// record is a container as kept in <root>/<id>/state.json.
type record struct {
	ID          string            `json:"id"`
	Bundle      string            `json:"bundle"`
	Rootfs      string            `json:"rootfs"`
	Pid         int               `json:"pid"`
	StartTime   uint64            `json:"startTime"` // /proc/PID/stat field 22: with Pid, names one process
	Created     time.Time         `json:"created"`
	Owner       string            `json:"owner"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Cgroup      string            `json:"cgroup"`
	Hooks       *specs.Hooks      `json:"hooks,omitempty"`
	// Seccomp is the container's compiled filter, which exec'd
	// processes get too.
	Seccomp *ns.Seccomp `json:"seccomp,omitempty"`
	UserNS  bool        `json:"userns,omitempty"`
}

// stateFile and fifoFile are the names in a container's state directory.
const (
	stateFile = "state.json"
	fifoFile  = "exec.fifo"
)

// validID is runc's container ID grammar: one path element, never "." or
// "..", so it can name a directory under --root.
var validID = regexp.MustCompile(`^[\w+\-.]+$`)

func checkID(id string) error {
	if !validID.MatchString(id) || id == "." || id == ".." {
		return fmt.Errorf("%w: %q", ErrInvalidID, id)
	}
	return nil
}

// dir is the container's state directory.
func (r *Runtime) dir(id string) string { return filepath.Join(r.Root, id) }

// load reads a container's record; ErrNotExist when there is none.
func (r *Runtime) load(id string) (*record, error) {
	if err := checkID(id); err != nil {
		return nil, ErrNotExist
	}
	data, err := os.ReadFile(filepath.Join(r.dir(id), stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotExist
	}
	if err != nil {
		return nil, err
	}
	var rec record
	if err := json.Unmarshal(data, &rec); err != nil {
		return nil, fmt.Errorf("read state of %s: %w", id, err)
	}
	return &rec, nil
}

// save writes the record atomically (rename), so that a concurrent state
// never reads half of it.
func (r *Runtime) save(rec *record) error {
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(r.dir(rec.ID), stateFile), data, 0o600)
}

// writeAtomic writes data to name through a temporary file and rename.
func writeAtomic(name string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name))
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

// state is the record as `state` reports it, with the given status. A
// stopped container has no pid (runc prints 0).
func (rec *record) state(status string) *State {
	pid := rec.Pid
	if status == Stopped {
		pid = 0
	}
	return &State{
		OCIVersion: specs.Version, ID: rec.ID, Pid: pid, Status: status, Bundle: rec.Bundle,
		Rootfs: rec.Rootfs, Created: rec.Created, Owner: rec.Owner, Annotations: rec.Annotations,
	}
}

// hookState is the OCI state a hook reads on its stdin.
func (rec *record) hookState(status string) specs.State {
	return specs.State{Version: specs.Version, ID: rec.ID, Status: specs.ContainerState(status), Pid: rec.Pid, Bundle: rec.Bundle, Annotations: rec.Annotations}
}
