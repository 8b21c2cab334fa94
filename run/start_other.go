//go:build !linux

package run

import (
	"errors"
	"os"
	"syscall"

	"pocket/cgroup"
	"pocket/store"
)

// errOS is returned where containers need Linux.
var errOS = errors.New("containers need Linux")

// forwarded are the signals pocket passes to the container's PID 1.
var forwarded = []os.Signal{syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGUSR2}

type process struct{}

func consoleSocket() (ours, theirs *os.File, err error) { return nil, nil, errOS }
func (a *attachment) console() error                    { return errOS }

func startProcess(*spec, *cgroup.Cgroup, streams, *jsonLog) (*process, error) { return nil, errOS }
func (p *process) abort()                                                     {}
func (p *process) wait() int                                                  { return 125 }
func (p *process) pid() int                                                   { return 0 }
func lockThread() (unlock func())                                             { return func() {} }

type joined struct{}

func openJoins(*store.Store, joinSpec) ([]joined, error) { return nil, errOS }
func closeJoins([]joined)                                {}

func mountShm(*store.Store, *spec) (func(), error) { return func() {}, nil }
func unmountShm(*store.Store, string)              {}
