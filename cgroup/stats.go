package cgroup

// Stats is one sample of a container's cgroup, what `docker stats`
// shows, read the way Docker's CLI computes it.
type Stats struct {
	CPU uint64 // total CPU time used, in nanoseconds
	// Memory is the usage less the inactive file cache (total_inactive_file
	// on v1, inactive_file on v2), as Docker's CLI shows it since 19.03.
	Memory      uint64
	MemoryLimit uint64 // 0: none
	BlockRead   uint64 // bytes
	BlockWrite  uint64
	Pids        uint64
}
