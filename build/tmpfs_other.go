//go:build !linux

package build

import "os"

// privateTmpfsDir: only Linux's tmpfs is known; the store's temporary
// directory stands in.
func privateTmpfsDir(fallback string) (string, error) { return os.MkdirTemp(fallback, "session-") }
