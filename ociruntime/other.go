//go:build !linux

package ociruntime

import (
	"fmt"
	"runtime"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

var errOS = fmt.Errorf("%s: %w", runtime.GOOS, ErrUnsupported)

func (r *Runtime) Create(string, CreateOptions) error         { return errOS }
func (r *Runtime) Start(string) error                         { return errOS }
func (r *Runtime) State(string) (*State, error)               { return nil, errOS }
func (r *Runtime) List() ([]*State, error)                    { return nil, errOS }
func (r *Runtime) Kill(string, syscall.Signal, bool) error    { return errOS }
func (r *Runtime) Delete(string, bool) error                  { return errOS }
func (r *Runtime) Run(string, CreateOptions) (int, error)     { return -1, errOS }
func (r *Runtime) Exec(string, ExecOptions) (int, error)      { return -1, errOS }
func (r *Runtime) Pids(string) ([]int, error)                 { return nil, errOS }
func (r *Runtime) Pause(string) error                         { return errOS }
func (r *Runtime) Resume(string) error                        { return errOS }
func (r *Runtime) Update(string, *specs.LinuxResources) error { return errOS }
