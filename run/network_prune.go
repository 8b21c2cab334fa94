package run

import (
	"fmt"
	"net"

	"pocket/network"
	"pocket/privilege"
	"pocket/store"
)

// PruneNetworks is `pocket network prune`: it reclaims what dead
// containers of any store hold, then removes the bridge and pocket's
// iptables chains if no container of any store uses them. It returns the
// removed network's name.
func PruneNetworks(s *store.Store) ([]string, error) {
	dir := network.StateDir()
	if privilege.Rootless() {
		return nil, nil
	}
	reap()
	_, before := net.InterfaceByName(network.BridgeName)
	if err := network.Prune(dir); err != nil {
		return nil, fmt.Errorf("prune networks: %w", err)
	}
	if _, after := net.InterfaceByName(network.BridgeName); before == nil && after != nil {
		return []string{network.BridgeName}, nil
	}
	return nil, nil
}
