package plan

import (
	"fmt"
	"os"
	"strings"

	"github.com/opencontainers/runtime-spec/specs-go"

	"pocket/ns"
	"pocket/seccomp"
)

// security turns --privileged, --cap-add, --cap-drop and --security-opt
// into what init is told: the capabilities are checked, the seccomp
// profile read, resolved against the container's capabilities and
// compiled, once, here.
func security(o *Options) (ns.Security, error) {
	sec := ns.Security{Privileged: o.Privileged, CapAdd: o.CapAdd, CapDrop: o.CapDrop}
	if err := ns.ValidateCaps(append(append([]string{}, o.CapAdd...), o.CapDrop...)); err != nil {
		return sec, err
	}
	profile := "" // "" Docker's default, "unconfined", or a file
	for _, opt := range o.SecurityOpt {
		// Docker takes "key=value" and the older "key:value".
		sep := "="
		if !strings.Contains(opt, "=") {
			sep = ":"
		}
		k, v, _ := strings.Cut(opt, sep)
		switch {
		case k == "no-new-privileges" && (v == "" || v == "true"):
			sec.NoNewPrivileges = true
		case k == "no-new-privileges" && v == "false":
			sec.NoNewPrivileges = false
		case k == "seccomp" && v == "builtin":
			profile = ""
		case k == "seccomp" && v != "":
			profile = v
		case opt == "apparmor=unconfined" || opt == "label=disable" || opt == "label:disable":
			// What pocket does anyway: it has no AppArmor or SELinux profile.
		default:
			return sec, fmt.Errorf("%w: --security-opt %q (hint: pocket supports no-new-privileges and seccomp=unconfined|PROFILE.json)", ErrBadOption, opt)
		}
	}
	// As dockerd: --privileged runs unconfined unless a profile is given.
	if profile == "unconfined" || (o.Privileged && profile == "") {
		return sec, nil
	}
	caps, err := ns.Capabilities(sec)
	if err != nil {
		return sec, err
	}
	var p *specs.LinuxSeccomp
	if profile == "" {
		p, err = seccomp.Default(caps)
	} else {
		p, err = loadProfile(profile, caps)
	}
	if err != nil {
		return sec, err
	}
	f, err := seccomp.Compile(p)
	if err != nil {
		if profile == "" {
			profile = "default"
		}
		return sec, fmt.Errorf("%s: %w", profile, err)
	}
	if f != nil {
		sec.Seccomp = &ns.Seccomp{Program: f.Bytes(), Flags: f.Flags}
	}
	return sec, nil
}

// loadProfile reads a profile file in Docker's format. Unknown syscall
// names are ignored, as Docker does, so that a profile written for a
// newer kernel loads.
func loadProfile(path string, caps []string) (*specs.LinuxSeccomp, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: --security-opt seccomp: %w", ErrBadOption, err)
	}
	p, err := seccomp.Load(data, caps)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}
