//go:build !linux

package network

import "net"

// Attachment is a container's place on the bridge.
type Attachment struct {
	ID, Bridge, Veth string
	IP, Gateway      net.IP
	Prefix           int
	Ports            []Port
}

// BridgeName is the host bridge every container's veth is attached to.
const BridgeName = "pocket0"

func Setup(dir, id string, pid int, ports []Port) (*Attachment, error) { return nil, ErrUnsupported }
func Lookup(dir, id string) (*Attachment, error)                       { return nil, ErrUnsupported }
func Teardown(dir, id string) error                                    { return ErrUnsupported }
func Release(dir, id string) error                                     { return ErrUnsupported }
func Cleanup(dir string, alive func(id string) bool) error             { return ErrUnsupported }
func Prune(dir string) error                                           { return ErrUnsupported }
func StartRootless(pid int, ports []Port) (func() error, error)        { return nil, ErrUnsupported }
