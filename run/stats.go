package run

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"pocket/cgroup"
	"pocket/store"
)

// Stats is one container's row of `pocket stats`.
type Stats struct {
	ID, Name   string
	Container  string // as the user named it, or the ID
	CPUPercent float64
	Memory     uint64 // usage less the inactive file cache
	MemLimit   uint64
	MemPercent float64
	NetRx      uint64
	NetTx      uint64
	BlockRead  uint64
	BlockWrite uint64
	Pids       uint64
}

// StatsReader samples containers' cgroups; each Read computes CPU % over
// the time since the previous one, as Docker's CLI does from a stats
// stream: the container's CPU time delta over the host's, times the
// online CPUs, times 100.
type StatsReader struct {
	s     *store.Store
	all   bool
	names []string
	prev  map[string]cpuSample
}

type cpuSample struct{ container, system uint64 }

// NewStatsReader reads the named containers, or, with none named, the
// running ones (every one with all), listed again at each Read.
func NewStatsReader(s *store.Store, names []string, all bool) *StatsReader {
	return &StatsReader{s: s, names: names, all: all, prev: map[string]cpuSample{}}
}

// Read takes one sample of every container. A named container that does
// not exist is an error, as Docker's "No such container".
func (r *StatsReader) Read() ([]Stats, error) {
	var cs []*container
	if len(r.names) > 0 {
		for _, n := range r.names {
			c, err := load(r.s, n)
			if err != nil {
				return nil, err
			}
			cs = append(cs, c)
		}
	} else {
		recs, err := r.s.Containers()
		if err != nil {
			return nil, err
		}
		for _, rec := range recs {
			c, err := loadID(r.s, rec.ID)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if r.all || c.state.Status == statusRunning {
				cs = append(cs, c)
			}
		}
	}
	system, online, _ := cgroup.SystemCPU()
	out := make([]Stats, 0, len(cs))
	for i, c := range cs {
		st := Stats{ID: c.spec.ID, Name: c.spec.Name, Container: c.spec.ID}
		if len(r.names) > 0 {
			st.Container = r.names[i]
		}
		if c.state.Status == statusRunning {
			r.sample(c, &st, system, online)
		}
		out = append(out, st)
	}
	return out, nil
}

// sample fills st from the container's cgroup and network namespace.
// A container without a cgroup (rootless, no delegation) shows zeros.
func (r *StatsReader) sample(c *container, st *Stats, system uint64, online int) {
	if cg, err := loadCgroup(c.spec.ID); err == nil {
		if s, err := cg.Stats(); err == nil {
			st.Memory, st.MemLimit = s.Memory, s.MemoryLimit
			st.BlockRead, st.BlockWrite, st.Pids = s.BlockRead, s.BlockWrite, s.Pids
			if p, ok := r.prev[c.spec.ID]; ok && s.CPU > p.container && system > p.system {
				st.CPUPercent = float64(s.CPU-p.container) / float64(system-p.system) * float64(online) * 100
			}
			r.prev[c.spec.ID] = cpuSample{s.CPU, system}
		}
	}
	if st.MemLimit == 0 {
		st.MemLimit = cgroup.MemTotal()
	}
	if st.MemLimit > 0 {
		st.MemPercent = float64(st.Memory) / float64(st.MemLimit) * 100
	}
	st.NetRx, st.NetTx = netDev(c.state.Pid)
}

// netDev sums the bytes received and sent by the interfaces of pid's
// network namespace but lo, as Docker sums a container's networks.
func netDev(pid int) (rx, tx uint64) {
	if pid <= 0 {
		return 0, 0
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/dev", pid))
	if err != nil {
		return 0, 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || strings.TrimSpace(name) == "lo" {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 9 {
			continue
		}
		r, err1 := strconv.ParseUint(f[0], 10, 64)
		t, err2 := strconv.ParseUint(f[8], 10, 64)
		if err1 == nil && err2 == nil {
			rx += r
			tx += t
		}
	}
	return rx, tx
}
