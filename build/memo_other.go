//go:build !linux

package build

import "os"

// memoKey: without Linux's stat fields nothing is remembered.
func memoKey(os.FileInfo) string { return "" }
