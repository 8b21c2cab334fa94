package plan

import (
	"fmt"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"pocket/cgroup"
	"pocket/ns"
	"pocket/rootfs"
)

// Plan is `pocket run`'s command line parsed and checked, in one step
// (Parse), before anything is pulled or created. What comes after (the
// image lookup, the container's spec, its start) reads the plan and never
// parses or changes the options again (umoci's cmd/umoci/utils_ux.go).
type Plan struct {
	// Flags is the command line as given: what needs no parsing (-t, -i,
	// --rm, the command) and what inspect shows as typed.
	Flags Options
	// Host is what the host allows, asked once.
	Host      Host
	Pull      string // missing (also ""), always or never
	Network   Network
	Security  ns.Security      // capabilities, no_new_privs, the compiled seccomp filter
	Resources cgroup.Resources // the limits with the device cgroup's rules
	Devices   *Devices
	Tmpfs     []ns.Mount  // --tmpfs
	Mounts    []MountSpec // -v and --mount, targets cleaned; see Volumes
	taken     map[string]bool
	// Binds are the -v with a source (host path or volume name) and
	// AnonVolumes the -v without one, as typed: inspect's HostConfig.Binds
	// and Config.Volumes, as Docker's CLI splits them.
	Binds       []string
	AnonVolumes []string
	Workdir     string   // -w cleaned; "" for the image's
	Env         []string // --env-file lines then -e flags, host values looked up
	Overlay     rootfs.Overlay
	Restart     RestartPolicy
	Labels      map[string]string // --label-file then -l
	Rlimits     []Rlimit          // --ulimit
	health      *v1.HealthConfig  // --health-*, merged with the image's by Healthcheck

	Namespaces  Namespaces
	ShmSize     int64             // /dev/shm's size in bytes
	Sysctls     map[string]string // --sysctl, namespaced ones only
	OomScoreAdj *int              // nil: the inherited score
	// Warnings are Docker's daemon warnings for flags accepted but not
	// applied here; run prints them as Docker does ("WARNING: ...").
	Warnings []string
}

// Parse checks every option that needs no image, so that nothing is
// pulled or created for a command line that cannot run, and returns what
// they ask for. The checks run in the order Docker's errors come in;
// every error is pocket's own (exit status 125).
func Parse(o Options, h Host) (*Plan, error) {
	p := &Plan{Flags: o, Host: h, Pull: o.Pull, Overlay: h.Overlay}
	if o.Name != "" {
		if err := checkName(o.Name); err != nil {
			return nil, err
		}
	}
	var err error
	if p.Network, err = parseNetwork(&o, h); err != nil {
		return nil, err
	}
	if p.Namespaces, err = parseNamespaces(&o, h, h.Unified); err != nil {
		return nil, err
	}
	if p.Security, err = security(&o); err != nil {
		return nil, err
	}
	if err := blkioDevices(&o, &o.Resources); err != nil {
		return nil, err
	}
	p.Warnings = warnings(&o.Resources, h.Unified)
	if err := checkResources(o.Resources, h); err != nil {
		return nil, err
	}
	if p.ShmSize, err = shmSize(o.ShmSize); err != nil {
		return nil, err
	}
	if p.Sysctls, err = sysctls(o.Sysctls, p.Namespaces, p.Network.Mode); err != nil {
		return nil, err
	}
	if o.OomScoreAdj != 0 {
		if err := oomScoreAdj(o.OomScoreAdj); err != nil {
			return nil, err
		}
		adj := o.OomScoreAdj
		p.OomScoreAdj = &adj
	}
	if p.Tmpfs, err = tmpfsMounts(o.Tmpfs); err != nil {
		return nil, err
	}
	if p.Devices, err = planDevices(&o, h.Rootless); err != nil {
		return nil, err
	}
	p.Resources = o.Resources
	p.Resources.Devices = p.Devices.Cgroup
	if p.Mounts, p.taken, err = userMounts(&o); err != nil {
		return nil, err
	}
	for i, v := range o.Volumes { // userMounts puts the -v first, in order
		if p.Mounts[i].Source == "" {
			p.AnonVolumes = append(p.AnonVolumes, v)
		} else {
			p.Binds = append(p.Binds, v)
		}
	}
	switch o.Pull {
	case "", "missing", "always", "never":
	default:
		return nil, fmt.Errorf("%w: --pull %q (hint: always, missing or never)", ErrBadOption, o.Pull)
	}
	if o.Workdir != "" {
		if p.Workdir, err = workdir(o.Workdir); err != nil {
			return nil, err
		}
	}
	if p.Env, err = userEnv(o.Env, o.EnvFiles, os.LookupEnv); err != nil {
		return nil, err
	}
	if p.Restart, err = parseRestart(o.Restart, o.Remove); err != nil {
		return nil, err
	}
	if p.Labels, err = parseLabels(o.Labels, o.LabelFiles); err != nil {
		return nil, err
	}
	if p.Rlimits, err = parseUlimits(o.Ulimits, h.Rootless); err != nil {
		return nil, err
	}
	if o.StopSignal != "" {
		if _, err := ParseSignal(o.StopSignal); err != nil {
			return nil, fmt.Errorf("--stop-signal: %w", err)
		}
	}
	if p.health, err = healthcheck(o.Health); err != nil {
		return nil, err
	}
	return p, nil
}

// checkResources refuses a limit Docker refuses or one that cannot be
// applied: rootless pocket without a delegated cgroup v2 subtree has
// nowhere to put it, and a limit is never silently ignored. A rootfs the
// host cannot mount is refused here too, as before any pull.
func checkResources(r cgroup.Resources, h Host) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if h.overlayErr != nil {
		return fmt.Errorf("%w: %w", ErrBadOption, h.overlayErr)
	}
	if h.Cgroup {
		return nil
	}
	return cgroup.Unlimited(r)
}
