//go:build !linux

package ns

// EnterUserNS does nothing where there are no user namespaces; pocket's
// commands that need Linux fail on their own with ErrUnsupported.
func EnterUserNS() error { return nil }
