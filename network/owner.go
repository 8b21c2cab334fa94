package network

import (
	"os"
	"path/filepath"
)

// StateDirEnv names the environment variable that overrides
// DefaultStateDir. Tests set it so that they keep their allocations (and
// the network namespace they run in) to themselves; pocket otherwise
// leaves it unset.
const StateDirEnv = "POCKET_NETWORK_STATE"

// DefaultStateDir holds the host's allocations: on tmpfs, root's only.
const DefaultStateDir = "/run/pocket/network"

// StateDir is the directory Setup and the others are given: $StateDirEnv
// if set (made absolute), otherwise DefaultStateDir.
func StateDir() string {
	if d := os.Getenv(StateDirEnv); d != "" {
		if abs, err := filepath.Abs(d); err == nil {
			return abs
		}
		return d
	}
	return DefaultStateDir
}

// Owner is who holds an allocation: one container of one pocket store.
// Containers of different stores share the bridge, so the container ID
// alone does not say whose an allocation is, nor where to ask whether it
// still lives.
type Owner struct {
	Root string `json:"root"` // the store's root directory, absolute
	ID   string `json:"id"`   // the container's ID
}

// String is how errors name the owner.
func (o Owner) String() string { return o.ID + " in " + o.Root }
