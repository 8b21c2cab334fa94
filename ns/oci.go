package ns

// Types of the Config fields the OCI runtime front door fills (package
// ociruntime): what a bundle's config.json can say that pocket run's flags
// cannot.

// Creds are a process's numeric identity, taken as given: no passwd or
// group lookup decides the supplementary groups.
type Creds struct {
	UID            uint32   `json:"uid"`
	GID            uint32   `json:"gid"`
	AdditionalGids []uint32 `json:"additionalGids,omitempty"`
}

// Paths are the kernel files to hide and to make read-only, in place of
// Docker's defaults (maskedPaths, readonlyPaths).
type Paths struct {
	Masked   []string `json:"masked,omitempty"`
	Readonly []string `json:"readonly,omitempty"`
}

// Namespace is one existing namespace to join: Type is the OCI name
// ("network", "uts", "ipc", "cgroup"), Path its /proc/PID/ns file or bind
// mount.
type Namespace struct {
	Type string `json:"type"`
	Path string `json:"path"`
}

// Gate is the create/start split (runc's exec.fifo). Once the container is
// built, init writes a byte to ReadyFD (the parent's sign that create is
// done) and closes it, then opens FifoFD, an O_PATH handle of a fifo, for
// writing: that blocks until `start` opens it for reading. Both are
// descriptor numbers in init.
type Gate struct {
	ReadyFD int `json:"readyFD"`
	FifoFD  int `json:"fifoFD"`
}
