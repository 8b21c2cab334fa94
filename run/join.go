package run

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"pocket/store"
)

// joinSpec names the containers whose namespaces a container joins
// (--pid, --ipc, --network container:NAME), by ID, resolved when it is
// created; the container's init is started inside them (see startJoined).
type joinSpec struct {
	Pid string `json:"pid,omitempty"`
	IPC string `json:"ipc,omitempty"`
	Net string `json:"net,omitempty"`
}

func (j joinSpec) any() bool { return j.Pid != "" || j.IPC != "" || j.Net != "" }

// resolveJoins finds the containers sp joins, as Docker's daemon does at
// create: each must exist and run (Docker's words), and one whose IPC
// namespace is joined must have made it shareable. A network joiner
// shares its target's name, /etc/hosts and /etc/resolv.conf (Docker's
// initializeNetworking).
func resolveJoins(s *store.Store, sp *spec) error {
	ns := sp.Namespaces
	find := func(name string, notRunning func(string) error) (*container, error) {
		c, err := load(s, name)
		if err != nil {
			return nil, err
		}
		if c.state.Status != statusRunning {
			return nil, notRunning(name)
		}
		return c, nil
	}
	containerNotRunning := func(name string) error {
		return &joinError{fmt.Sprintf("Container %s is not running", name), ErrNotRunning}
	}
	if ns.JoinPid != "" {
		c, err := find(ns.JoinPid, containerNotRunning)
		if err != nil {
			return err
		}
		sp.Join.Pid = c.spec.ID
	}
	if ns.JoinIPC != "" {
		c, err := find(ns.JoinIPC, containerNotRunning)
		if err != nil {
			return err
		}
		m := c.spec.Namespaces.IpcMode
		if m != "shareable" && m != "host" {
			return &joinError{fmt.Sprintf("container %s: non-shareable IPC (hint: use IpcMode:shareable for the donor container)", ns.JoinIPC), ErrBadOption}
		}
		sp.Join.IPC = c.spec.ID
		sp.Init.Shm.Host = m == "host"
	}
	if ns.JoinNet != "" {
		c, err := find(ns.JoinNet, func(name string) error {
			return &joinError{"cannot join network of a non running container: " + name, ErrNotRunning}
		})
		if err != nil {
			return err
		}
		sp.Join.Net = c.spec.ID
		sp.Hostname = c.spec.Hostname
		sp.Init.Hostname = c.spec.Hostname
		sp.netFrom = c.dir
	}
	return nil
}

// sharedNetFile is the joined network's copy of name (hosts, resolv.conf)
// for a --network container: joiner, nil when it has none.
func sharedNetFile(from, name string) []byte {
	if from == "" {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(from, name))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return b
}

// joinError is a refused join in Docker's words, matching a sentinel.
type joinError struct {
	msg string
	is  error
}

func (e *joinError) Error() string        { return e.msg }
func (e *joinError) Is(target error) bool { return target == e.is }
