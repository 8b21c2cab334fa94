package run

import (
	"os"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"pocket/ns"
	"pocket/plan"
	"pocket/rootfs"
	"pocket/store"
)

// newSpec resolves a container's configuration from its image and the
// plan (Docker's create).
func newSpec(s *store.Store, img *store.Image, cfg v1.Config, p *plan.Plan) (*spec, error) {
	o := &p.Flags
	ep, cmd, argv, err := command(cfg, o.Entrypoint, o.Args)
	if err != nil {
		return nil, err
	}
	env := p.ConfigEnv(cfg.Env)
	wd := p.WorkingDir(cfg.WorkingDir)
	sp := &spec{
		ID: newID(), Name: o.Name, Image: img.ID, ImageName: o.Image, Created: time.Now().UTC(),
		Entrypoint: ep, Cmd: cmd, Env: env, WorkingDir: wd, User: o.User,
		Hostname: o.Hostname, Tty: o.TTY, OpenStdin: o.Interactive, AutoRemove: o.Remove,
		StopSignal: cfg.StopSignal, Network: p.Network.Mode, Resources: p.Resources,
		ReadOnly: o.ReadOnly, Privileged: o.Privileged, CapAdd: o.CapAdd, CapDrop: o.CapDrop,
		Devices: p.Devices.Mappings, DeviceCgroupRules: p.Devices.Rules,
		SecurityOpt: o.SecurityOpt, Detach: o.Detach,
		Namespaces: p.Namespaces, ShmSize: p.ShmSize, Sysctls: p.Sysctls, OomScoreAdj: o.OomScoreAdj,
		RestartPolicy: p.Restart, StopTimeout: o.StopTimeout, Ulimits: p.Rlimits, GroupAdd: o.GroupAdd,
	}
	if o.StopSignal != "" {
		sp.StopSignal = o.StopSignal
	}
	for k, v := range cfg.Labels {
		if sp.Labels == nil {
			sp.Labels = map[string]string{}
		}
		sp.Labels[k] = v
	}
	for k, v := range p.Labels {
		if sp.Labels == nil {
			sp.Labels = map[string]string{}
		}
		sp.Labels[k] = v
	}
	var rlimits []specs.POSIXRlimit
	for _, r := range p.Rlimits {
		rlimits = append(rlimits, specs.POSIXRlimit{Type: "RLIMIT_" + strings.ToUpper(r.Name), Soft: r.Soft, Hard: r.Hard})
	}
	for v := range cfg.Volumes {
		sp.Volumes = append(sp.Volumes, v)
	}
	for _, v := range p.AnonVolumes {
		if !slices.Contains(sp.Volumes, v) {
			sp.Volumes = append(sp.Volumes, v)
		}
	}
	slices.Sort(sp.Volumes)
	sp.Binds = p.Binds
	if sp.Healthcheck, err = p.Healthcheck(cfg.Healthcheck); err != nil {
		return nil, err
	}
	if sp.Net, err = newNetSpec(p, cfg); err != nil {
		return nil, err
	}
	if sp.User == "" {
		// The image's, unchecked so far; init checks again.
		if err := ns.CheckUser(cfg.User); err != nil {
			return nil, err
		}
		sp.User = cfg.User
	}
	if sp.Hostname == "" {
		sp.Hostname = sp.ID[:12]
		if sp.Network == netHost || p.Namespaces.HostUTS() {
			// Docker gives a host-network container the host's name.
			if h, err := os.Hostname(); err == nil {
				sp.Hostname = h
			}
		}
	}
	lower := make([]string, 0, len(img.Layers))
	for i := len(img.Layers) - 1; i >= 0; i-- {
		lower = append(lower, s.LayerDir(img.Layers[i]))
	}
	sp.Init = ns.Config{
		ID: sp.ID,
		// Rootless, pull unpacked the layers for overlay's userxattr
		// (fs.OptionsFor, from the same privilege.Rootless): the mount
		// must use it too. The overlay kind was chosen once, by plan.Probe,
		// so a container keeps one upper directory format for its life.
		Rootfs: ns.Rootfs{Lower: lower, ReadOnly: o.ReadOnly, UserXattr: p.Host.Rootless, Premounted: p.Overlay == rootfs.Fuse},
		Process: ns.Process{
			Args: argv, Env: processEnv(env, sp.Hostname, o.TTY), Cwd: wd, User: sp.User,
			Terminal: o.TTY, Init: o.Init, GroupAdd: o.GroupAdd, Rlimits: rlimits, OOMScoreAdj: p.OomScoreAdj,
		},
		Hostname: sp.Hostname,
		Mounts:   p.Tmpfs,
		Devices:  p.Devices.Nodes,
		Security: p.Security,
		Network:  initNetwork(sp.Network),
		// In a user namespace init bind-mounts /dev nodes instead of
		// making them.
		UserNS:        p.Host.Rootless,
		Nofile:        DefaultNofile().Limit,
		DieWithParent: true,
		Shm:           ns.Shm{Size: p.ShmSize, Host: p.Namespaces.HostIPC(), None: p.Namespaces.IpcMode == "none"},
		Sysctls:       p.Sysctls,
	}
	if p.Namespaces.HostUTS() {
		// The host's UTS namespace: its name is not the container's to set.
		sp.Init.Hostname = ""
	}
	if err := resolveJoins(s, sp); err != nil {
		return nil, err
	}
	return sp, nil
}
