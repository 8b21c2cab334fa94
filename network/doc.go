// Package network gives containers their own addresses on a host bridge,
// publishes their ports and cleans up after them.
package network
