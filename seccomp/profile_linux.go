package seccomp

import (
	"encoding/json"
	"fmt"

	mobyseccomp "github.com/moby/profiles/seccomp"
	"github.com/opencontainers/runtime-spec/specs-go"
)

// Default is Docker's default profile resolved for a container: rules
// that include or exclude capabilities are kept or dropped against caps
// (the container's bounding set, "CAP_SYS_ADMIN" ...), those with a
// minimum kernel against the running kernel, as dockerd does.
func Default(caps []string) (*specs.LinuxSeccomp, error) {
	p, err := mobyseccomp.GetDefaultProfile(forCaps(caps))
	if err != nil {
		return nil, fmt.Errorf("seccomp default profile: %w", err)
	}
	return p, nil
}

// Load parses a profile in Docker's JSON format (that of
// `docker run --security-opt seccomp=FILE`) and resolves it as Default
// does. A profile with neither a default action nor syscalls is
// unconfined (nil), as in Docker.
func Load(data []byte, caps []string) (*specs.LinuxSeccomp, error) {
	// Decoded here first for the decoder's own message: moby's wraps it
	// in a capitalised sentence.
	var probe mobyseccomp.Seccomp
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrProfile, err)
	}
	p, err := mobyseccomp.LoadProfile(string(data), forCaps(caps))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrProfile, err)
	}
	return p, nil
}

// forCaps is the part of a runtime spec moby's resolver reads.
func forCaps(caps []string) *specs.Spec {
	return &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: caps}}}
}
