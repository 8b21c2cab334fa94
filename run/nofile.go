package run

// NofileLimit is the open files limit (RLIMIT_NOFILE, soft and hard) a
// container starts with, and where it comes from, for run and info alike.
type NofileLimit struct {
	Limit  uint64
	Source string // NofileDocker or NofileHost
}

const (
	// dockerNofile is what a Docker container gets from dockerd's systemd
	// unit (LimitNOFILE=infinity, that is fs.nr_open's default).
	dockerNofile = 1 << 20
	NofileDocker = "docker default"
	NofileHost   = "host hard limit"
)

func (n NofileLimit) String() string {
	if n.Limit == 0 {
		return ""
	}
	return fmtUint(n.Limit) + " (" + n.Source + ")"
}
