package main

import (
	"context"
	"os"

	"github.com/urfave/cli/v2"

	"pocket/ns"
	"pocket/plan"
	"pocket/pull"
	"pocket/reference"
	"pocket/run"
	"pocket/store"
)

func runCommand() *cli.Command {
	return &cli.Command{
		Name: "run", Usage: "create and run a new container from an image", ArgsUsage: "IMAGE [COMMAND] [ARG...]",
		Flags: append(runFlags(), resourceFlags()...),
		Action: startsContainer(actionWith(1, runOptions, func(c *cli.Context, s *store.Store, o run.Options) error {
			code, err := run.Run(context.Background(), s, o)
			if err != nil {
				return err
			}
			return exitCode(code)
		})),
	}
}

// runFlags are `pocket run`'s flags, which create shares (less -d).
func runFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "rm", Usage: "remove the container when it exits"},
		&cli.StringFlag{Name: "name", Usage: "assign a name to the container"},
		&cli.BoolFlag{Name: "detach", Aliases: []string{"d"}, Usage: "run in the background and print the container ID"},
		&cli.BoolFlag{Name: "interactive", Aliases: []string{"i"}, Usage: "keep STDIN open"},
		&cli.BoolFlag{Name: "tty", Aliases: []string{"t"}, Usage: "allocate a pseudo-TTY"},
		&cli.StringSliceFlag{Name: "env", Aliases: []string{"e"}, Usage: "set an environment variable (K=V, or K to copy the host's)"},
		&cli.StringSliceFlag{Name: "env-file", Usage: "read environment variables from a file"},
		&cli.StringFlag{Name: "workdir", Aliases: []string{"w"}, Usage: "working directory inside the container"},
		&cli.StringFlag{Name: "user", Aliases: []string{"u"}, Usage: "name|uid[:group|gid]"},
		&cli.StringFlag{Name: "entrypoint", Usage: "override the image's ENTRYPOINT (clears its CMD)"},
		&cli.StringFlag{Name: "hostname", Aliases: []string{"h"}, Usage: "container host name"},
		&cli.StringFlag{Name: "network", Aliases: []string{"net"}, DefaultText: "bridge as root",
			Usage: "bridge (an address on the pocket0 bridge, NAT to the outside; pocket turns on IPv4 forwarding, net.ipv4.ip_forward=1, and leaves it on), " +
				"none (only lo) or host (the host's network). Rootless, bridge needs pasta or slirp4netns and is the default only when one is installed"},
		&cli.StringSliceFlag{Name: "publish", Aliases: []string{"p"}, Usage: "publish a container port: [HOSTIP:][HOSTPORT:]CONTAINERPORT[/PROTO]"},
		&cli.BoolFlag{Name: "publish-all", Aliases: []string{"P"}, Usage: "publish every port the image exposes on a free host port"},
		&cli.StringSliceFlag{Name: "dns", Usage: "name server for /etc/resolv.conf"},
		&cli.StringSliceFlag{Name: "dns-search", Usage: "search domain for /etc/resolv.conf (\".\" for none)"},
		&cli.StringSliceFlag{Name: "dns-option", Usage: "option for /etc/resolv.conf"},
		&cli.StringSliceFlag{Name: "add-host", Usage: "add HOST:IP to /etc/hosts (IP host-gateway is the bridge's gateway)"},
		&cli.BoolFlag{Name: "read-only", Usage: "mount the root filesystem read-only"},
		&cli.StringSliceFlag{Name: "tmpfs", Usage: "mount a tmpfs (PATH[:OPTIONS])"},
		&cli.StringSliceFlag{Name: "volume", Aliases: []string{"v"}, Usage: "bind mount a host directory or mount a volume ([HOST-DIR|NAME:]CONTAINER-DIR[:ro])"},
		&cli.StringSliceFlag{Name: "mount", Usage: "attach a mount (type=bind|volume|tmpfs,source=...,target=...[,readonly])"},
		&cli.StringSliceFlag{Name: "cap-add", Usage: "add Linux capabilities"},
		&cli.StringSliceFlag{Name: "cap-drop", Usage: "drop Linux capabilities"},
		&cli.BoolFlag{Name: "privileged", Usage: "give extended privileges to this container (all capabilities, every device, the host's /dev nodes)"},
		&cli.StringSliceFlag{Name: "device", Usage: "add a host device (HOST[:CONTAINER[:PERMS]], PERMS of r, w, m; default rwm), or a directory of them"},
		&cli.StringSliceFlag{Name: "device-cgroup-rule", Usage: "allow devices in the cgroup: 'TYPE MAJOR:MINOR ACCESS', as 'c 1:3 rwm' or 'b 7:* r'"},
		&cli.StringSliceFlag{Name: "security-opt", Usage: "security options (no-new-privileges, seccomp=unconfined|PROFILE.json)"},
		&cli.BoolFlag{Name: "init", Usage: "run an init inside the container that forwards signals and reaps processes"},
		&cli.StringFlag{Name: "health-cmd", Usage: "command to run to check health (with /bin/sh -c)"},
		&cli.DurationFlag{Name: "health-interval", Usage: "time between running the check (ms|s|m|h) (default 0s)"},
		&cli.DurationFlag{Name: "health-timeout", Usage: "maximum time to allow one check to run (ms|s|m|h) (default 0s)"},
		&cli.DurationFlag{Name: "health-start-period", Usage: "start period for the container to initialize before failures count (ms|s|m|h) (default 0s)"},
		&cli.IntFlag{Name: "health-retries", Usage: "consecutive failures needed to report unhealthy"},
		&cli.BoolFlag{Name: "no-healthcheck", Usage: "disable any container-specified HEALTHCHECK"},
		&cli.StringFlag{Name: "pull", Value: "missing", Usage: "pull image before running (always, missing, never)"},
		platformFlag(),
		&cli.StringFlag{Name: "cidfile", Usage: "write the container ID to the file (which must not exist)"},
		&cli.StringSliceFlag{Name: "label", Aliases: []string{"l"}, Usage: "set metadata on the container (KEY[=VALUE])"},
		&cli.StringSliceFlag{Name: "label-file", Usage: "read labels from a file of KEY[=VALUE] lines"},
		&cli.StringFlag{Name: "stop-signal", Usage: "signal to stop the container (default the image's STOPSIGNAL, else SIGTERM)"},
		&cli.IntFlag{Name: "stop-timeout", Usage: "seconds stop waits before it kills the container (default 10; -1 waits for ever)"},
		&cli.StringSliceFlag{Name: "ulimit", Usage: "resource limit NAME=SOFT[:HARD], as nofile=1024:2048"},
		&cli.StringSliceFlag{Name: "group-add", Usage: "add a supplementary group (name in the image's /etc/group, or gid)"},
		&cli.StringFlag{Name: "restart", Value: "no", Usage: "restart policy while pocket's monitor lives: no, on-failure[:N], always, unless-stopped"},
	}
}

// runOptions turns `pocket run`'s flags into run.Options.
func runOptions(c *cli.Context) (run.Options, error) {
	o := run.Options{
		Image: c.Args().First(), Args: c.Args().Tail(), Pull: c.String("pull"),
		PullOpts: pull.Options{Registries: registries(c), Platform: c.String("platform"), Out: os.Stderr},
		Name:     c.String("name"), Remove: c.Bool("rm"), Detach: c.Bool("detach"),
		Interactive: c.Bool("interactive"), TTY: c.Bool("tty"),
		Env: c.StringSlice("env"), EnvFiles: c.StringSlice("env-file"), Workdir: c.String("workdir"),
		User: c.String("user"), Hostname: c.String("hostname"), Network: c.String("network"),
		ReadOnly: c.Bool("read-only"), Tmpfs: c.StringSlice("tmpfs"),
		Volumes: c.StringSlice("volume"), Mounts: c.StringSlice("mount"),
		CapAdd: c.StringSlice("cap-add"), CapDrop: c.StringSlice("cap-drop"), Privileged: c.Bool("privileged"),
		Devices: c.StringSlice("device"), DeviceCgroupRules: c.StringSlice("device-cgroup-rule"),
		SecurityOpt: c.StringSlice("security-opt"), Init: c.Bool("init"),
		Health: plan.HealthOptions{
			Cmd: c.String("health-cmd"), Interval: c.Duration("health-interval"), Timeout: c.Duration("health-timeout"),
			StartPeriod: c.Duration("health-start-period"), Retries: c.Int("health-retries"), None: c.Bool("no-healthcheck"),
		},
		Publish: c.StringSlice("publish"), PublishAll: c.Bool("publish-all"),
		DNS: c.StringSlice("dns"), DNSSearch: c.StringSlice("dns-search"), DNSOptions: c.StringSlice("dns-option"),
		AddHost: c.StringSlice("add-host"),
		Stdin:   os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		CIDFile: c.String("cidfile"), Labels: c.StringSlice("label"), LabelFiles: c.StringSlice("label-file"),
		StopSignal: c.String("stop-signal"), Ulimits: c.StringSlice("ulimit"), GroupAdd: c.StringSlice("group-add"),
		Restart: c.String("restart"),
	}
	if c.IsSet("stop-timeout") {
		t := c.Int("stop-timeout")
		o.StopTimeout = &t
	}
	// A numeric -u past 32 bits would wrap to another user (4294967296
	// is root): refused here, before anything is created.
	if err := ns.CheckUser(o.User); err != nil {
		return o, err
	}
	if c.IsSet("entrypoint") {
		ep := c.String("entrypoint")
		o.Entrypoint = &ep
	}
	// IMAGE is parsed here, once; what is no reference may still be an
	// image ID, looked up as one.
	// An archive transport comes first: "oci:dir" would parse as a tag.
	a, isArchive, err := pull.ParseArchive(o.Image)
	if err != nil {
		return o, err
	}
	if isArchive {
		o.Archive = &a
	} else if o.Ref, err = reference.Parse(o.Image); err != nil && !reference.IsImageID(o.Image) {
		return o, err
	} else if o.Ref != nil && !reference.IsImageID(o.Image) {
		// With a lockfile a tag becomes the digest it pins, here, once.
		if o.Ref, err = lockedRef(c, o.Ref, o.PullOpts.Platform); err != nil {
			return o, err
		}
	}
	if err := resourceOptions(c, &o); err != nil {
		return o, err
	}
	return o, nil
}
