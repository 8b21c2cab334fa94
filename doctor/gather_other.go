//go:build !linux

package doctor

import (
	"context"
	"time"
)

// Options say what Gather looks at beyond the host itself.
type Options struct {
	Rootless   bool
	Store      string
	Registries []string
	Timeout    time.Duration
}

// Gather finds nothing pocket needs outside Linux: every check fails.
func Gather(ctx context.Context, o Options) Host {
	return Host{Rootless: o.Rootless, Kernel: "not Linux", Store: Store{Path: o.Store, Err: "containers need Linux"}}
}
