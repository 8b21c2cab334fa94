package run

import (
	"os"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"pocket/ns"
	"pocket/store"
)

// newSpec resolves a container's configuration from its image and the
// command line (Docker's create).
func newSpec(s *store.Store, img *store.Image, cfg v1.Config, o *Options, sec ns.Security) (*spec, error) {
	ep, cmd, argv, err := command(cfg, o.Entrypoint, o.Args)
	if err != nil {
		return nil, err
	}
	env, err := userEnv(cfg.Env, o.Env, o.EnvFiles, os.LookupEnv)
	if err != nil {
		return nil, err
	}
	wd, err := workdir(o.Workdir, cfg.WorkingDir)
	if err != nil {
		return nil, err
	}
	tmpfs, err := tmpfsMounts(o.Tmpfs)
	if err != nil {
		return nil, err
	}
	devs, err := planDevices(o)
	if err != nil {
		return nil, err
	}
	res := o.Resources
	res.Devices = devs.cgroup
	sp := &spec{
		ID: newID(), Name: o.Name, Image: img.ID, ImageName: o.Image, Created: time.Now().UTC(),
		Entrypoint: ep, Cmd: cmd, Env: env, WorkingDir: wd, User: o.User,
		Hostname: o.Hostname, Tty: o.TTY, OpenStdin: o.Interactive, AutoRemove: o.Remove,
		StopSignal: cfg.StopSignal, Network: o.Network, Resources: res,
		ReadOnly: o.ReadOnly, Privileged: o.Privileged, CapAdd: o.CapAdd, CapDrop: o.CapDrop,
		Devices: devs.mappings, DeviceCgroupRules: devs.rules,
		SecurityOpt: o.SecurityOpt,
	}
	if sp.Net, err = newNetSpec(o, cfg); err != nil {
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
		if sp.Network == "host" {
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
		ID:     sp.ID,
		Rootfs: ns.Rootfs{Lower: lower, ReadOnly: o.ReadOnly},
		Process: ns.Process{
			Args: argv, Env: processEnv(env, sp.Hostname, o.TTY), Cwd: wd, User: sp.User,
			Terminal: o.TTY, Init: o.Init,
		},
		Hostname: sp.Hostname,
		Mounts:   tmpfs,
		Devices:  devs.nodes,
		Security: sec,
		Network:  initNetwork(o.Network),
	}
	inUserNS(&sp.Init)
	if err := setOverlay(&sp.Init); err != nil {
		return nil, err
	}
	return sp, nil
}
