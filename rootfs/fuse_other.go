//go:build !linux

package run

import "pocket/ns"

type fuseMount struct{}

func mountRootfs(rs ns.Rootfs) (*fuseMount, error) {
	if rs.Premounted {
		return nil, errOS
	}
	return nil, nil
}

func (m *fuseMount) unmount() error { return nil }
