//go:build !linux

package network

import "net"

// Attachment is a container's place on the bridge.
type Attachment struct {
	Owner        Owner
	Bridge, Veth string
	IP, Gateway  net.IP
	Prefix       int
	Ports        []Port
}

// BridgeName is the host bridge every container's veth is attached to.
const BridgeName = "pocket0"

func Setup(dir string, o Owner, pid int, ports []Port) (*Attachment, error) {
	return nil, ErrUnsupported
}
func Lookup(dir string, o Owner) (*Attachment, error)           { return nil, ErrUnsupported }
func Teardown(dir string, o Owner) error                        { return ErrUnsupported }
func Release(dir string, o Owner) error                         { return ErrUnsupported }
func Cleanup(dir string, alive func(o Owner) bool) error        { return ErrUnsupported }
func Prune(dir string) error                                    { return ErrUnsupported }
func StartRootless(pid int, ports []Port) (func() error, error) { return nil, ErrUnsupported }

func BridgeAddress() (*net.IPNet, net.IP, bool) { return nil, nil, false }
