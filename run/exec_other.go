//go:build !linux

package run

import (
	"os"
	"time"

	"pocket/cgroup"
	"pocket/store"
)

// Exec runs a command in a running container; containers need Linux.
func Exec(*store.Store, ExecOptions) (int, error) { return 125, errOS }

type executor struct{}

func newExecutor(*spec, *cgroup.Cgroup, int) *executor { return &executor{} }
func (x *executor) shutdown()                          {}
func (x *executor) serveExec(_ *execRequest, _ []*os.File, reply func(controlReply)) {
	reply(controlReply{Error: errOS.Error()})
}

func (x *executor) probe([]string, time.Duration) (int, string) { return 1, errOS.Error() }

func (x *executor) procs() ([]int, error) { return nil, errOS }
