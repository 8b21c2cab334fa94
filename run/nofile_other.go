//go:build !linux

package run

import "strconv"

func fmtUint(n uint64) string { return strconv.FormatUint(n, 10) }

// DefaultNofile: containers run on Linux only.
func DefaultNofile() NofileLimit { return NofileLimit{} }
