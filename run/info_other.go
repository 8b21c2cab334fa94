//go:build !linux

package run

import "runtime"

func kernelInfo() (string, int64) { return "", 0 }
func kernelArch() string          { return runtime.GOARCH }
