//go:build !linux

package run

import (
	"errors"
	"os"

	"pocket/store"
)

const syscallDirectory = 0

var unixENOTDIR = errors.New("not a directory")

func runningRoot(s *store.Store, c *container) (*os.File, error) { return nil, ErrNotRunning }

func checkWritable(c *container, dir *os.File) error { return nil }
