// The Go runtime would keep this process's cgroup CPU limit files open for
// its whole life to follow GOMAXPROCS: in the container's init and the
// --init reaper those are host files a container could reopen for writing
// through /proc/1/fd. Read once at start instead.
//
//go:debug containermaxprocs=0

// Command pocket runs containers from OCI and Docker images: one static
// binary, no daemon.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	units "github.com/docker/go-units"
	"github.com/urfave/cli/v2"

	"pocket/cgroup"
	"pocket/ns"
	"pocket/pull"
	"pocket/reference"
	"pocket/run"
	"pocket/store"
)

func main() {
	// First of all: nothing pocket inherited beyond stdio reaches a
	// process it starts (CVE-2024-21626).
	if err := ns.CloseOnExec(); err != nil {
		fmt.Fprintf(os.Stderr, "pocket: %v\n", err)
		os.Exit(125)
	}
	// The re-exec'd container init dispatches before any CLI parsing, as
	// runc's init.go does: it must not touch flags, logs or the store.
	if len(os.Args) > 1 && os.Args[1] == "init" {
		ns.Init()
	}
	if len(os.Args) > 1 && os.Args[1] == run.MonitorCommand {
		os.Exit(run.Monitor(os.Args[2:]))
	}
	// A non-root user becomes root in a user namespace of its own before
	// anything else (the init and monitor above already run inside one).
	if err := ns.EnterUserNS(); err != nil {
		os.Exit(status(err))
	}
	os.Exit(status(app().Run(os.Args)))
}

// status turns an error into Docker's exit status and prints it on one line.
func status(err error) int {
	if err == nil {
		return 0
	}
	var code exitCode
	if errors.As(err, &code) {
		return int(code)
	}
	fmt.Fprintf(os.Stderr, "pocket: %v\n", err)
	var ee *run.ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return 125
}

// exitCode is a silent exit with a status (a container's own).
type exitCode int

func (c exitCode) Error() string { return fmt.Sprintf("exit status %d", int(c)) }

func defaultRoot() string {
	if os.Geteuid() == 0 && !ns.Rootless() {
		return "/var/lib/pocket"
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "pocket")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".local", "share", "pocket")
}

func app() *cli.App {
	// -h is `run --hostname`, as in Docker; help is --help only.
	cli.HelpFlag = &cli.BoolFlag{Name: "help", Usage: "show help"}
	return &cli.App{
		Name:                      "pocket",
		Usage:                     "run containers from OCI and Docker images, without a daemon",
		UseShortOptionHandling:    true,
		DisableSliceFlagSeparator: true,
		HideHelpCommand:           true,
		ExitErrHandler:            func(*cli.Context, error) {},
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			return fmt.Errorf("%w\nSee 'pocket %s --help'.", err, c.Command.Name)
		},
		Before: checkLogLevel,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "root", Value: defaultRoot(), EnvVars: []string{"POCKET_ROOT"}, Usage: "store directory"},
			&cli.StringSliceFlag{Name: "registry-mirror", EnvVars: []string{"POCKET_REGISTRY_MIRROR"}, Usage: "mirror for Docker Hub references, tried in order (comma-separated)"},
			&cli.StringSliceFlag{Name: "insecure-registry", EnvVars: []string{"POCKET_INSECURE_REGISTRIES"}, Usage: "registry HOST[:PORT] reached over plain HTTP (comma-separated)"},
			&cli.StringFlag{Name: "log-level", Value: "warn", EnvVars: []string{"POCKET_LOG_LEVEL"}, Usage: "debug, info, warn or error"},
		},
		Commands: []*cli.Command{
			pullCommand(), imagesCommand(), rmiCommand(), tagCommand(), saveCommand(), loadCommand(),
			{Name: "image", Usage: "manage images", Subcommands: []*cli.Command{
				pullCommand(), lsCommand(imagesCommand()), rmCommand(rmiCommand()), tagCommand(), saveCommand(), loadCommand(),
				imagePruneCommand(), imageInspectCommand(),
			}},
			runCommand(), psCommand(), logsCommand(), stopCommand(), killCommand(), rmContainerCommand(),
			waitCommand(), inspectCommand(), portCommand(),
			{Name: "container", Usage: "manage containers", Subcommands: []*cli.Command{
				runCommand(), lsCommand(psCommand()), logsCommand(), stopCommand(), killCommand(),
				rmCommand(rmContainerCommand()), waitCommand(), containerPruneCommand(), containerInspectCommand(),
				portCommand(),
			}},
			{Name: "network", Usage: "manage the container network", Subcommands: []*cli.Command{networkPruneCommand()}},
			{Name: "system", Usage: "manage pocket", Subcommands: []*cli.Command{systemPruneCommand()}},
			volumeCommand(),
		},
	}
}

// checkLogLevel refuses a --log-level that is no level, in the Docker
// CLI's words and with its status 1.
func checkLogLevel(c *cli.Context) error {
	switch strings.ToLower(c.String("log-level")) {
	case "", "trace", "debug", "info", "warn", "warning", "error", "fatal", "panic":
		return nil
	}
	fmt.Fprintf(os.Stderr, "Unable to parse logging level: %s\n", c.String("log-level"))
	return exitCode(1)
}

func lsCommand(c *cli.Command) *cli.Command { c.Name, c.Aliases = "ls", []string{"list"}; return c }
func rmCommand(c *cli.Command) *cli.Command { c.Name, c.Aliases = "rm", nil; return c }

// action is a command body that needs the store and at least min
// positional arguments (named by the command's ArgsUsage when missing).
func action(min int, fn func(c *cli.Context, s *store.Store) error) cli.ActionFunc {
	return func(c *cli.Context) error {
		if err := args(c, min, c.Command.ArgsUsage); err != nil {
			return err
		}
		s, err := openStore(c)
		if err != nil {
			return err
		}
		return fn(c, s)
	}
}

// openStore opens the store named by --root. Every command that opens it
// first reclaims what containers whose
// monitor was killed still hold (cheap when none was).
func openStore(c *cli.Context) (*store.Store, error) {
	s, err := store.Open(c.String("root"))
	if err != nil {
		return nil, err
	}
	run.Reap(s)
	return s, nil
}

func registries(c *cli.Context) pull.Registries {
	return pull.Registries{Mirrors: c.StringSlice("registry-mirror"), Insecure: c.StringSlice("insecure-registry")}
}

// args checks the count of positional arguments as Docker does.
func args(c *cli.Context, min int, usage string) error {
	if c.NArg() < min {
		name := commandPath(c)
		return fmt.Errorf("%q requires at least %d argument(s)\nUsage: %s %s", name, min, name, usage)
	}
	return nil
}

// commandPath is the command as typed, e.g. "pocket image inspect".
func commandPath(c *cli.Context) string {
	var names []string
	for _, l := range c.Lineage() {
		if l.Command != nil && l.Command.Name != "" {
			names = append([]string{l.Command.Name}, names...)
		}
	}
	return strings.Join(names, " ")
}

func platformFlag() cli.Flag {
	return &cli.StringFlag{Name: "platform", EnvVars: []string{"DOCKER_DEFAULT_PLATFORM"}, Usage: "os/arch[/variant] to pull"}
}

func pullCommand() *cli.Command {
	return &cli.Command{
		Name: "pull", Usage: "download an image from a registry", ArgsUsage: "IMAGE",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print only the image reference"}, platformFlag()},
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			ref, err := reference.Parse(c.Args().First())
			if err != nil {
				return err
			}
			o := pull.Options{Registries: registries(c), Platform: c.String("platform"), Quiet: c.Bool("quiet"), Out: os.Stdout}
			_, err = pull.Pull(signalContext(), s, ref, o)
			return err
		}),
	}
}

func imagesCommand() *cli.Command {
	return &cli.Command{
		Name: "images", Usage: "list images", ArgsUsage: "[REPOSITORY[:TAG]]",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "only show image IDs"},
			&cli.BoolFlag{Name: "digests", Usage: "show digests"},
			&cli.StringFlag{Name: "format", Usage: "\"json\" for one JSON object a line"},
		},
		Action: action(0, func(c *cli.Context, s *store.Store) error {
			imgs, err := s.Images()
			if err != nil {
				return err
			}
			return printImages(os.Stdout, imageRows(imgs, c.Args().First()), c.Bool("quiet"), c.Bool("digests"), c.String("format"))
		}),
	}
}

func rmiCommand() *cli.Command {
	return &cli.Command{
		Name: "rmi", Usage: "remove images", ArgsUsage: "IMAGE [IMAGE...]",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "remove even if a container uses it"}},
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			var errs []error
			for _, ref := range c.Args().Slice() {
				untagged, deleted, err := s.RemoveImage(ref, c.Bool("force"))
				for _, line := range append(untagged, deleted...) {
					fmt.Println(line)
				}
				if err != nil {
					errs = append(errs, err)
				}
			}
			return errors.Join(errs...)
		}),
	}
}

func tagCommand() *cli.Command {
	return &cli.Command{
		Name: "tag", Usage: "create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", ArgsUsage: "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
		Action: func(c *cli.Context) error {
			if c.NArg() != 2 {
				return fmt.Errorf("%q requires exactly 2 arguments\nUsage: %s %s", commandPath(c), commandPath(c), c.Command.ArgsUsage)
			}
			dst, err := reference.Parse(c.Args().Get(1))
			if err != nil {
				return fmt.Errorf("tag %s: %w", c.Args().Get(1), err)
			}
			s, err := openStore(c)
			if err != nil {
				return err
			}
			return s.Tag(c.Args().Get(0), dst)
		},
	}
}

func saveCommand() *cli.Command {
	return &cli.Command{
		Name: "save", Usage: "save images to a tar archive (stdout by default)", ArgsUsage: "IMAGE [IMAGE...]",
		Flags: []cli.Flag{&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write to a file"}},
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			return pull.SaveFile(signalContext(), s, c.Args().Slice(), c.String("output"))
		}),
	}
}

func loadCommand() *cli.Command {
	return &cli.Command{
		Name: "load", Usage: "load images from a tar archive or OCI layout (stdin by default)",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "input", Aliases: []string{"i"}, Usage: "read from a file or OCI layout directory"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "suppress progress"},
		},
		Action: action(0, func(c *cli.Context, s *store.Store) error {
			names, err := pull.Load(signalContext(), s, c.String("input"), pull.Options{Quiet: c.Bool("quiet"), Out: os.Stdout})
			for _, n := range names {
				if strings.HasPrefix(n, "sha256:") {
					fmt.Println("Loaded image ID: " + n)
				} else {
					fmt.Println("Loaded image: " + n)
				}
			}
			return err
		}),
	}
}

func imagePruneCommand() *cli.Command {
	return &cli.Command{
		Name: "prune", Usage: "remove unused images",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "remove all images no container uses, not just dangling ones"},
			&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "do not prompt (pocket never prompts)"},
		},
		Action: action(0, func(c *cli.Context, s *store.Store) error {
			deleted, reclaimed, err := s.PruneImages(c.Bool("all"))
			if len(deleted) > 0 {
				fmt.Println("Deleted Images:")
				for _, d := range deleted {
					fmt.Println("deleted: " + d)
				}
				fmt.Println()
			}
			fmt.Printf("Total reclaimed space: %s\n", units.HumanSize(float64(reclaimed)))
			return err
		}),
	}
}

func imageInspectCommand() *cli.Command {
	return &cli.Command{
		Name: "inspect", Usage: "show an image's details as JSON", ArgsUsage: "IMAGE [IMAGE...]",
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			return inspectAll(c.Args().Slice(), func(ref string) (any, error) { return pull.Inspect(s, ref) })
		}),
	}
}

func inspectCommand() *cli.Command {
	return &cli.Command{
		Name: "inspect", Usage: "show a container's or an image's details as JSON", ArgsUsage: "NAME|ID [NAME|ID...]",
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			return inspectAll(c.Args().Slice(), func(ref string) (any, error) {
				v, err := run.Inspect(s, ref)
				if errors.Is(err, store.ErrContainerUnknown) {
					if v, ierr := pull.Inspect(s, ref); ierr == nil {
						return v, nil
					}
					return nil, fmt.Errorf("no such object: %s", ref)
				}
				return v, err
			})
		}),
	}
}

func containerInspectCommand() *cli.Command {
	c := inspectCommand()
	c.Usage = "show a container's details as JSON"
	c.Action = action(1, func(c *cli.Context, s *store.Store) error {
		return inspectAll(c.Args().Slice(), func(ref string) (any, error) { return run.Inspect(s, ref) })
	})
	return c
}

func runCommand() *cli.Command {
	return &cli.Command{
		Name: "run", Usage: "create and run a new container from an image", ArgsUsage: "IMAGE [COMMAND] [ARG...]",
		Flags: []cli.Flag{
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
			&cli.StringFlag{Name: "memory", Aliases: []string{"m"}, Usage: "memory limit (e.g. 512m)"},
			&cli.StringFlag{Name: "memory-swap", Usage: "memory plus swap limit; -1 for unlimited swap"},
			&cli.StringFlag{Name: "cpus", Usage: "number of CPUs (e.g. 1.5)"},
			&cli.Uint64Flag{Name: "cpu-shares", Aliases: []string{"c"}, Usage: "CPU shares (relative weight)"},
			&cli.Int64Flag{Name: "pids-limit", Usage: "process limit (-1 for unlimited)"},
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
			&cli.StringFlag{Name: "pull", Value: "missing", Usage: "pull image before running (always, missing, never)"},
			platformFlag(),
		},
		Action: func(c *cli.Context) error {
			if err := args(c, 1, "IMAGE [COMMAND] [ARG...]"); err != nil {
				return err
			}
			o, err := runOptions(c)
			if err != nil {
				return err
			}
			s, err := openStore(c)
			if err != nil {
				return err
			}
			code, err := run.Run(context.Background(), s, o)
			if err != nil {
				return err
			}
			return exitCode(code)
		},
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
		Publish: c.StringSlice("publish"), PublishAll: c.Bool("publish-all"),
		DNS: c.StringSlice("dns"), DNSSearch: c.StringSlice("dns-search"), DNSOptions: c.StringSlice("dns-option"),
		AddHost:   c.StringSlice("add-host"),
		Resources: cgroup.Resources{CPUShares: c.Uint64("cpu-shares"), PidsLimit: c.Int64("pids-limit")},
		Stdin:     os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
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
	var err error
	if o.Ref, err = reference.Parse(o.Image); err != nil && !reference.IsImageID(o.Image) {
		return o, err
	}
	if v := c.String("cpus"); v != "" {
		if o.Resources.CPUs, err = cgroup.ParseCPUs(v); err != nil {
			return o, fmt.Errorf("invalid argument %q for \"--cpus\" flag: %w", v, err)
		}
	}
	if v := c.String("memory"); v != "" {
		if o.Resources.Memory, err = cgroup.ParseSize(v); err != nil {
			return o, fmt.Errorf("invalid argument %q for \"-m, --memory\" flag: %w", v, err)
		}
	}
	if v := c.String("memory-swap"); v == "-1" {
		o.Resources.MemorySwap = -1
	} else if v != "" {
		if o.Resources.MemorySwap, err = cgroup.ParseSize(v); err != nil {
			return o, fmt.Errorf("invalid argument %q for \"--memory-swap\" flag: %w", v, err)
		}
	}
	return o, nil
}

func psCommand() *cli.Command {
	return &cli.Command{
		Name: "ps", Usage: "list containers",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "show all containers (default shows just running)"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "only display container IDs"},
			&cli.StringFlag{Name: "format", Usage: "\"json\" for one JSON object a line"},
		},
		Action: action(0, func(c *cli.Context, s *store.Store) error {
			rows, err := run.List(s, c.Bool("all"))
			if err != nil {
				return err
			}
			return printContainers(os.Stdout, rows, c.Bool("quiet"), c.String("format"))
		}),
	}
}

func logsCommand() *cli.Command {
	return &cli.Command{
		Name: "logs", Usage: "fetch the logs of a container", ArgsUsage: "CONTAINER",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "follow", Aliases: []string{"f"}, Usage: "follow log output"},
			&cli.StringFlag{Name: "tail", Aliases: []string{"n"}, Value: "all", Usage: "number of lines to show from the end"},
		},
		Action: func(c *cli.Context) error {
			if err := args(c, 1, "CONTAINER"); err != nil {
				return err
			}
			tail := -1
			if t := c.String("tail"); t != "all" {
				if _, err := fmt.Sscan(t, &tail); err != nil || tail < 0 {
					return fmt.Errorf("invalid argument %q for \"-n, --tail\" flag", t)
				}
			}
			s, err := openStore(c)
			if err != nil {
				return err
			}
			return run.Logs(signalContext(), s, c.Args().First(), run.LogsOptions{Follow: c.Bool("follow"), Tail: tail, Stdout: os.Stdout, Stderr: os.Stderr})
		},
	}
}

// each runs fn for every argument, printing the argument on success as
// Docker's stop, kill and rm do, and joining the errors.
func each(c *cli.Context, fn func(s *store.Store, id string) error) error {
	if err := args(c, 1, c.Command.ArgsUsage); err != nil {
		return err
	}
	s, err := openStore(c)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range c.Args().Slice() {
		if err := fn(s, id); err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Println(id)
	}
	return errors.Join(errs...)
}

func stopCommand() *cli.Command {
	return &cli.Command{
		Name: "stop", Usage: "stop running containers", ArgsUsage: "CONTAINER [CONTAINER...]",
		Flags: []cli.Flag{&cli.IntFlag{Name: "time", Aliases: []string{"t"}, Value: 10, Usage: "seconds to wait before killing"}},
		Action: func(c *cli.Context) error {
			return each(c, func(s *store.Store, id string) error {
				return run.Stop(s, id, time.Duration(c.Int("time"))*time.Second)
			})
		},
	}
}

func killCommand() *cli.Command {
	return &cli.Command{
		Name: "kill", Usage: "kill running containers", ArgsUsage: "CONTAINER [CONTAINER...]",
		Flags: []cli.Flag{&cli.StringFlag{Name: "signal", Aliases: []string{"s"}, Value: "KILL", Usage: "signal to send"}},
		Action: func(c *cli.Context) error {
			return each(c, func(s *store.Store, id string) error { return run.Kill(s, id, c.String("signal")) })
		},
	}
}

func rmContainerCommand() *cli.Command {
	return &cli.Command{
		Name: "rm", Usage: "remove containers", ArgsUsage: "CONTAINER [CONTAINER...]",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "kill and remove a running container"},
			&cli.BoolFlag{Name: "volumes", Aliases: []string{"v"}, Usage: "remove its anonymous volumes"},
		},
		Action: func(c *cli.Context) error {
			return each(c, func(s *store.Store, id string) error { return run.Remove(s, id, c.Bool("force"), c.Bool("volumes")) })
		},
	}
}

func waitCommand() *cli.Command {
	return &cli.Command{
		Name: "wait", Usage: "block until containers stop, then print their exit codes", ArgsUsage: "CONTAINER [CONTAINER...]",
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			var errs []error
			for _, id := range c.Args().Slice() {
				code, err := run.Wait(signalContext(), s, id)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				fmt.Println(code)
			}
			return errors.Join(errs...)
		}),
	}
}

func containerPruneCommand() *cli.Command {
	return &cli.Command{
		Name: "prune", Usage: "remove all stopped containers",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "do not prompt (pocket never prompts)"}},
		Action: action(0, func(c *cli.Context, s *store.Store) error {
			ids, err := run.Prune(s)
			if len(ids) > 0 {
				fmt.Println("Deleted Containers:")
				for _, id := range ids {
					fmt.Println(id)
				}
				fmt.Println()
			}
			return err
		}),
	}
}

func portCommand() *cli.Command {
	return &cli.Command{
		Name: "port", Usage: "list a container's published ports", ArgsUsage: "CONTAINER [PRIVATE_PORT[/PROTO]]",
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			ls, err := run.Ports(s, c.Args().First(), c.Args().Get(1))
			for _, l := range ls {
				fmt.Println(l)
			}
			return err
		}),
	}
}

func networkPruneCommand() *cli.Command {
	return &cli.Command{
		Name: "prune", Usage: "remove the bridge and pocket's iptables rules if no container uses them",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "do not prompt (pocket never prompts)"}},
		Action: action(0, func(c *cli.Context, s *store.Store) error {
			names, err := run.PruneNetworks(s)
			printDeleted("Deleted Networks:", names)
			return err
		}),
	}
}

func systemPruneCommand() *cli.Command {
	return &cli.Command{
		Name: "prune", Usage: "remove stopped containers, unused networks and dangling images",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "remove all images no container uses, not just dangling ones"},
			&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "do not prompt (pocket never prompts)"},
		},
		Action: action(0, func(c *cli.Context, s *store.Store) error {
			ids, cerr := run.Prune(s)
			printDeleted("Deleted Containers:", ids)
			names, nerr := run.PruneNetworks(s)
			printDeleted("Deleted Networks:", names)
			deleted, reclaimed, ierr := s.PruneImages(c.Bool("all"))
			for i := range deleted {
				deleted[i] = "deleted: " + deleted[i]
			}
			printDeleted("Deleted Images:", deleted)
			fmt.Printf("Total reclaimed space: %s\n", units.HumanSize(float64(reclaimed)))
			return errors.Join(cerr, nerr, ierr)
		}),
	}
}

func volumeCommand() *cli.Command {
	return &cli.Command{Name: "volume", Usage: "manage volumes", Subcommands: []*cli.Command{
		{
			Name: "create", Usage: "create a volume (a random name if none is given)", ArgsUsage: "[VOLUME]",
			Action: func(c *cli.Context) error {
				if c.NArg() > 1 {
					return fmt.Errorf("%q requires at most 1 argument\nUsage: %s %s", commandPath(c), commandPath(c), c.Command.ArgsUsage)
				}
				s, err := openStore(c)
				if err != nil {
					return err
				}
				name, err := run.VolumeCreate(s, c.Args().First())
				if err != nil {
					return err
				}
				fmt.Println(name)
				return nil
			},
		},
		{
			Name: "ls", Aliases: []string{"list"}, Usage: "list volumes",
			Flags: []cli.Flag{
				&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "only show volume names"},
				&cli.StringFlag{Name: "format", Usage: "\"json\" for one JSON object a line"},
			},
			Action: action(0, func(c *cli.Context, s *store.Store) error {
				rows, err := run.VolumeList(s)
				if err != nil {
					return err
				}
				return printVolumes(os.Stdout, rows, c.Bool("quiet"), c.String("format"))
			}),
		},
		{
			Name: "inspect", Usage: "show volumes' details as JSON", ArgsUsage: "VOLUME [VOLUME...]",
			Action: action(1, func(c *cli.Context, s *store.Store) error {
				return inspectAll(c.Args().Slice(), func(n string) (any, error) { return run.VolumeInspect(s, n) })
			}),
		},
		{
			Name: "rm", Aliases: []string{"remove"}, Usage: "remove volumes", ArgsUsage: "VOLUME [VOLUME...]",
			Flags: []cli.Flag{&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "no error for a missing volume"}},
			Action: action(1, func(c *cli.Context, s *store.Store) error {
				var errs []error
				for _, n := range c.Args().Slice() {
					if err := run.VolumeRemove(s, n, c.Bool("force")); err != nil {
						errs = append(errs, err)
						continue
					}
					fmt.Println(n)
				}
				return errors.Join(errs...)
			}),
		},
		{
			Name: "prune", Usage: "remove volumes no container uses (anonymous ones unless --all)",
			Flags: []cli.Flag{
				&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "remove named volumes too"},
				&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "do not prompt (pocket never prompts)"},
			},
			Action: action(0, func(c *cli.Context, s *store.Store) error {
				names, reclaimed, err := run.VolumePrune(s, c.Bool("all"))
				if len(names) > 0 {
					fmt.Println("Deleted Volumes:")
					for _, n := range names {
						fmt.Println(n)
					}
					fmt.Println()
				}
				fmt.Printf("Total reclaimed space: %s\n", units.HumanSize(float64(reclaimed)))
				return err
			}),
		},
	}}
}

// signalContext is cancelled by SIGINT or SIGTERM, so a pull or a follow
// stops cleanly (temporaries removed) when the user interrupts it.
func signalContext() context.Context {
	ctx, _ := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	return ctx
}
