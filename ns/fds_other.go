//go:build !linux

package ns

// CloseOnExec does nothing where pocket runs no containers.
func CloseOnExec() error { return nil }
