package network

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// The allocation file and its lock live in the directory the caller gives
// (StateDir: one per host, like the bridge). Every pocket process that
// changes the network, whatever its store, takes the lock for the whole
// change, so the file, the bridge and the iptables rules move together.
const (
	stateFile = "network.json"
	lockFile  = "network.lock"
)

// state is what the allocation file holds.
type state struct {
	Subnet      string        `json:"subnet,omitempty"` // CIDR of the bridge
	Rules       string        `json:"rules,omitempty"`  // subnet the shared iptables rules were made for
	Allocations []*allocation `json:"allocations"`
}

// allocation is one container's share of the network.
type allocation struct {
	Owner Owner  `json:"owner"`
	IP    string `json:"ip"`
	Veth  string `json:"veth"` // unique on the host, so it tells allocations apart
	Ports []Port `json:"ports,omitempty"`
}

// find returns o's allocation, or nil.
func (st *state) find(o Owner) *allocation {
	for _, a := range st.Allocations {
		if a.Owner == o {
			return a
		}
	}
	return nil
}

// remove drops a from the allocations.
func (st *state) remove(a *allocation) {
	for i, b := range st.Allocations {
		if b == a {
			st.Allocations = append(st.Allocations[:i], st.Allocations[i+1:]...)
			return
		}
	}
}

// tag marks a's iptables rules: the container ID for people reading the
// rules, the veth name to tell apart containers of two stores that happen
// to share an ID (a copied store).
func (a *allocation) tag() string { return a.Owner.ID + ":" + a.Veth }

// locked runs fn with dir's lock held and the state loaded. With write,
// the state is saved (atomically) afterwards even if fn fails, so what fn
// undid or released is recorded; fn keeps st true to what exists.
func locked(dir string, write bool, fn func(st *state) error) error {
	// Only root may read or change the host's allocations.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	lf, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer lf.Close()
	for {
		err = unix.Flock(int(lf.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return &os.PathError{Op: "flock", Path: lf.Name(), Err: err}
	}
	// Closing lf releases the lock.

	st, err := load(dir)
	if err != nil {
		return err
	}
	before, _ := json.Marshal(st)
	err = fn(st)
	if !write {
		return err
	}
	// An unchanged state is not written again (and not synced).
	if after, merr := json.Marshal(st); merr == nil && string(after) == string(before) {
		return err
	}
	return errors.Join(err, save(dir, st))
}

func load(dir string) (*state, error) {
	st := &state{}
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("read %s: %w", filepath.Join(dir, stateFile), err)
	}
	return st, nil
}

func save(dir string, st *state) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, stateFile+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, stateFile))
}

// allocateIP returns the lowest free host address of subnet, after the
// gateway (.1).
func (st *state) allocateIP(subnet *net.IPNet) (net.IP, error) {
	used := map[string]bool{}
	for _, a := range st.Allocations {
		used[a.IP] = true
	}
	base := ipToUint(subnet.IP.To4())
	ones, bits := subnet.Mask.Size()
	size := uint32(1) << (bits - ones)
	for off := uint32(2); off < size-1; off++ {
		ip := uintToIP(base + off)
		if !used[ip.String()] {
			return ip, nil
		}
	}
	return nil, fmt.Errorf("allocate address in %s: %w", subnet, ErrAddressesExhausted)
}

func ipToUint(ip net.IP) uint32 {
	return uint32(ip[0])<<24 | uint32(ip[1])<<16 | uint32(ip[2])<<8 | uint32(ip[3])
}

func uintToIP(n uint32) net.IP {
	return net.IPv4(byte(n>>24), byte(n>>16), byte(n>>8), byte(n)).To4()
}
