// Package network gives containers their own addresses on a host bridge,
// publishes their ports and cleans up after them.
//
// The bridge (BridgeName) and pocket's iptables chains are one per host,
// so the addresses and ports handed out on them are recorded in one place
// per host too, StateDir: /run/pocket/network, or the directory named by
// the POCKET_NETWORK_STATE environment variable (tests point it at a
// directory of their own so they never touch the host's). /run is a
// tmpfs, so the record vanishes on reboot exactly as the bridge and the
// veths it describes do. Every allocation names its Owner, a container of
// one pocket store, so that pocket processes of any store can tell which
// allocations are dead and reclaim them.
package network
