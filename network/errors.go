package network

import "errors"

var (
	// ErrPortAllocated is returned when a host port is already published
	// by another container or bound by a host process.
	ErrPortAllocated = errors.New("port is already allocated")

	// ErrNoSubnet is returned when every candidate subnet for the bridge
	// overlaps a route or address of the host.
	ErrNoSubnet = errors.New("no free subnet for the bridge")

	// ErrAddressesExhausted is returned when the bridge subnet has no free
	// address left.
	ErrAddressesExhausted = errors.New("no free address on the bridge")

	// ErrAttached is returned by Setup for a container that already has
	// an attachment.
	ErrAttached = errors.New("container is already attached")

	// ErrNotAttached is returned by Lookup for a container without an
	// attachment.
	ErrNotAttached = errors.New("container is not attached")

	// ErrNoRootlessTool is returned by StartRootless when neither pasta
	// nor slirp4netns is installed.
	ErrNoRootlessTool = errors.New("rootless networking needs pasta or slirp4netns (hint: apt-get install passt) (run `pocket doctor`)")

	// ErrUnsupported is returned on systems other than Linux.
	ErrUnsupported = errors.New("container networking is only supported on linux")
)
