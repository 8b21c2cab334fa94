//go:build !linux

package run

import (
	"os"

	"pocket/store"
)

func runningRoot(s *store.Store, c *container) (*os.File, error) { return nil, ErrNotRunning }

func checkWritable(c *container, dir *os.File) error { return nil }
