package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"

	"pocket/ociruntime"
	"pocket/version"
)

// runtimeName is the name under which pocket's binary is its OCI runtime
// (a symlink pocket-runc -> pocket), as containerd, Docker and Podman name
// a runtime binary.
const runtimeName = "pocket-runc"

// runtimeCommand is `pocket runtime ...`: the same runc command line as
// pocket-runc, its flags parsed by the runtime's own app.
func runtimeCommand() *cli.Command {
	return &cli.Command{
		Name: "runtime", Usage: "run OCI bundles with runc's command line (as pocket-runc)", ArgsUsage: "COMMAND [ARGS...]",
		SkipFlagParsing: true,
		Action: func(c *cli.Context) error {
			if code := runtimeMain(append([]string{"pocket runtime"}, c.Args().Slice()...)); code != 0 {
				return exitCode(code)
			}
			return nil
		},
	}
}

// runtimeMain runs runc's command line and returns the exit status. As
// runc, every error is printed on stderr and, with --log, logged there
// (containerd's shim reads the last error from --log-format json).
func runtimeMain(args []string) int {
	a := runtimeApp()
	if err := a.Run(args); err != nil {
		var code exitCode
		if errors.As(err, &code) {
			return int(code)
		}
		runtimeLogAt("error", err)
		return 1
	}
	return 0
}

// runtimeLog is where --log points, and its --log-format.
var runtimeLog struct {
	path, format string
}

// runtimeLogAt prints err on stderr and logs it at level (error, warning).
func runtimeLogAt(level string, err error) {
	msg := err.Error()
	fmt.Fprintln(os.Stderr, msg)
	if runtimeLog.path == "" {
		return
	}
	f, ferr := os.OpenFile(runtimeLog.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|unix.O_CLOEXEC, 0o644)
	if ferr != nil {
		return
	}
	defer f.Close()
	now := time.Now().UTC().Format(time.RFC3339Nano)
	if runtimeLog.format == "json" {
		line, _ := json.Marshal(map[string]string{"level": level, "msg": msg, "time": now})
		fmt.Fprintf(f, "%s\n", line)
		return
	}
	fmt.Fprintf(f, "time=%q level=%s msg=%q\n", now, level, msg)
}

func runtimeApp() *cli.App {
	rt := &ociruntime.Runtime{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Warn: func(err error) { runtimeLogAt("warning", err) }}
	before := func(c *cli.Context) error {
		rt.Root, rt.SystemdCgroup = c.String("root"), c.Bool("systemd-cgroup")
		runtimeLog.path, runtimeLog.format = c.String("log"), c.String("log-format")
		if f := runtimeLog.format; f != "text" && f != "json" {
			return fmt.Errorf("invalid log-format: %s", f)
		}
		return nil
	}
	id := func(c *cli.Context) (string, error) {
		if c.NArg() < 1 {
			return "", fmt.Errorf("%s: container id cannot be empty", c.Command.Name)
		}
		return c.Args().First(), nil
	}
	oneID := func(fn func(id string) error) cli.ActionFunc {
		return func(c *cli.Context) error {
			id, err := id(c)
			if err != nil {
				return err
			}
			return fn(id)
		}
	}
	createFlags := []cli.Flag{
		&cli.StringFlag{Name: "bundle", Aliases: []string{"b"}, Value: ".", Usage: "path to the bundle directory"},
		&cli.StringFlag{Name: "pid-file", Usage: "file to write the container init's pid to"},
		&cli.StringFlag{Name: "console-socket", Usage: "unix socket to send the pty master to"},
		&cli.BoolFlag{Name: "no-pivot", Usage: "accepted; pocket always uses pivot_root"},
		&cli.BoolFlag{Name: "no-new-keyring", Usage: "accepted; pocket always gives a session keyring of its own"},
		&cli.IntFlag{Name: "preserve-fds", Usage: "accepted; must be 0"},
	}
	createOpts := func(c *cli.Context) (ociruntime.CreateOptions, error) {
		if c.Int("preserve-fds") != 0 {
			return ociruntime.CreateOptions{}, fmt.Errorf("--preserve-fds: %w", ociruntime.ErrUnsupported)
		}
		return ociruntime.CreateOptions{
			Bundle: c.String("bundle"), PidFile: c.String("pid-file"), ConsoleSocket: c.String("console-socket"),
			NoPivot: c.Bool("no-pivot"), NoNewKeyring: c.Bool("no-new-keyring"),
		}, nil
	}
	return &cli.App{
		Name:                   runtimeName,
		Usage:                  "pocket's runc-compatible OCI runtime",
		HideVersion:            true,
		HideHelpCommand:        true,
		UseShortOptionHandling: true,
		ExitErrHandler:         func(*cli.Context, error) {},
		Before:                 before,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "root", Value: ociruntime.DefaultRoot, Usage: "directory of container state"},
			&cli.StringFlag{Name: "log", Usage: "file to log errors to"},
			&cli.StringFlag{Name: "log-format", Value: "text", Usage: "text or json"},
			&cli.BoolFlag{Name: "systemd-cgroup", Usage: "read cgroupsPath as slice:prefix:name (written through cgroupfs)"},
			&cli.BoolFlag{Name: "debug", Usage: "accepted"},
			&cli.StringFlag{Name: "rootless", Usage: "accepted"},
			&cli.StringFlag{Name: "criu", Usage: "accepted; checkpoint is not supported"},
			&cli.BoolFlag{Name: "version", Aliases: []string{"v"}, Usage: "print the version"},
		},
		Action: func(c *cli.Context) error {
			if c.Bool("version") {
				v := version.Get()
				fmt.Printf("%s version %s\ncommit: %s\nspec: %s\ngo: %s\n", runtimeName, v.Version, v.GitCommit, specs.Version, runtime.Version())
				return nil
			}
			return cli.ShowAppHelp(c)
		},
		Commands: []*cli.Command{
			{Name: "create", Usage: "create a container", ArgsUsage: "ID", Flags: createFlags,
				Action: func(c *cli.Context) error {
					id, err := id(c)
					if err != nil {
						return err
					}
					o, err := createOpts(c)
					if err != nil {
						return err
					}
					return rt.Create(id, o)
				}},
			{Name: "start", Usage: "start a created container", ArgsUsage: "ID", Action: oneID(rt.Start)},
			{Name: "run", Usage: "create and start a container, in the foreground", ArgsUsage: "ID",
				Flags: append(createFlags, &cli.BoolFlag{Name: "detach", Aliases: []string{"d"}, Usage: "create and start, then return"}),
				Action: func(c *cli.Context) error {
					id, err := id(c)
					if err != nil {
						return err
					}
					o, err := createOpts(c)
					if err != nil {
						return err
					}
					if c.Bool("detach") {
						if err := rt.Create(id, o); err != nil {
							return err
						}
						return rt.Start(id)
					}
					code, err := rt.Run(id, o)
					if err != nil {
						return err
					}
					return exitCode(code)
				}},
			{Name: "state", Usage: "print a container's state as JSON", ArgsUsage: "ID",
				Action: oneID(func(id string) error {
					st, err := rt.State(id)
					if err != nil {
						return err
					}
					return printIndentJSON(st)
				})},
			{Name: "list", Usage: "list containers", Flags: []cli.Flag{
				&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "table or json"},
				&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "only ids"},
			}, Action: func(c *cli.Context) error {
				sts, err := rt.List()
				if err != nil {
					return err
				}
				return printRuntimeList(os.Stdout, sts, c.String("format"), c.Bool("quiet"))
			}},
			{Name: "kill", Usage: "send a signal to a container's init", ArgsUsage: "ID [SIGNAL]",
				Flags: []cli.Flag{&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "signal every process of the container"}},
				Action: func(c *cli.Context) error {
					id, err := id(c)
					if err != nil {
						return err
					}
					sig, err := parseRuntimeSignal(c.Args().Get(1))
					if err != nil {
						return err
					}
					return rt.Kill(id, sig, c.Bool("all"))
				}},
			{Name: "delete", Usage: "delete a stopped container", ArgsUsage: "ID",
				Flags: []cli.Flag{&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "kill it first if it runs"}},
				Action: func(c *cli.Context) error {
					id, err := id(c)
					if err != nil {
						return err
					}
					err = rt.Delete(id, c.Bool("force"))
					if c.Bool("force") && errors.Is(err, ociruntime.ErrNotExist) {
						return nil // runc: delete --force of nothing succeeds
					}
					return err
				}},
			{Name: "exec", Usage: "run a process in a running container", ArgsUsage: "ID [COMMAND [ARGS...]]",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "process", Aliases: []string{"p"}, Usage: "runtime-spec process JSON"},
					&cli.BoolFlag{Name: "detach", Aliases: []string{"d"}, Usage: "return once it runs"},
					&cli.StringFlag{Name: "pid-file", Usage: "file to write the process's pid to"},
					&cli.StringFlag{Name: "console-socket", Usage: "unix socket to send the pty master to"},
					&cli.BoolFlag{Name: "tty", Aliases: []string{"t"}, Usage: "allocate a pty"},
					&cli.StringFlag{Name: "cwd", Usage: "working directory"},
					&cli.StringSliceFlag{Name: "env", Aliases: []string{"e"}, Usage: "KEY=VALUE to add"},
					&cli.StringFlag{Name: "user", Aliases: []string{"u"}, Usage: "UID[:GID]"},
				},
				Action: func(c *cli.Context) error {
					id, err := id(c)
					if err != nil {
						return err
					}
					code, err := rt.Exec(id, ociruntime.ExecOptions{
						ProcessFile: c.String("process"), Detach: c.Bool("detach"), PidFile: c.String("pid-file"),
						ConsoleSocket: c.String("console-socket"), Args: c.Args().Tail(), TTY: c.Bool("tty"),
						Cwd: c.String("cwd"), Env: c.StringSlice("env"), User: c.String("user"),
					})
					if err != nil {
						return err
					}
					return exitCode(code)
				}},
			{Name: "ps", Usage: "list a container's processes", ArgsUsage: "ID",
				Flags: []cli.Flag{&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "table or json"}},
				Action: func(c *cli.Context) error {
					id, err := id(c)
					if err != nil {
						return err
					}
					pids, err := rt.Pids(id)
					if err != nil {
						return err
					}
					return printRuntimePids(os.Stdout, pids, c.String("format"))
				}},
			{Name: "pause", Usage: "freeze a container's processes", ArgsUsage: "ID", Action: oneID(rt.Pause)},
			{Name: "resume", Usage: "thaw a paused container", ArgsUsage: "ID", Action: oneID(rt.Resume)},
			{Name: "update", Usage: "change a container's resource limits", ArgsUsage: "ID",
				Flags: []cli.Flag{&cli.StringFlag{Name: "resources", Aliases: []string{"r"}, Usage: "runtime-spec LinuxResources JSON file, - for stdin"}},
				Action: func(c *cli.Context) error {
					id, err := id(c)
					if err != nil {
						return err
					}
					res, err := readResources(c.String("resources"))
					if err != nil {
						return err
					}
					return rt.Update(id, res)
				}},
			{Name: "features", Usage: "print the features this runtime recognizes as JSON",
				Action: func(*cli.Context) error { return printIndentJSON(ociruntime.Features()) }},
			{Name: "spec", Usage: "write a default config.json in the bundle",
				Flags: []cli.Flag{&cli.StringFlag{Name: "bundle", Aliases: []string{"b"}, Value: ".", Usage: "bundle directory"}},
				Action: func(c *cli.Context) error {
					name := filepath.Join(c.String("bundle"), "config.json")
					if _, err := os.Stat(name); err == nil {
						return fmt.Errorf("file %s exists: remove it first", name)
					}
					data, err := json.MarshalIndent(ociruntime.DefaultSpec(), "", "\t")
					if err != nil {
						return err
					}
					return os.WriteFile(name, data, 0o666)
				}},
		},
	}
}

func printIndentJSON(v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(os.Stdout, "%s\n", data)
	return err
}

// parseRuntimeSignal reads kill's signal as runc does: a number, or a
// name with or without SIG; SIGTERM when none is given.
func parseRuntimeSignal(s string) (syscall.Signal, error) {
	if s == "" {
		return unix.SIGTERM, nil
	}
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 || n > 64 {
			return 0, fmt.Errorf("unknown signal %q", s)
		}
		return syscall.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	sig := unix.SignalNum(name)
	if sig == 0 {
		return 0, fmt.Errorf("unknown signal %q", s)
	}
	return sig, nil
}

// printRuntimePids prints ps's answer: a JSON array of pids, or runc's
// table (the host's ps -ef, cut to the container's processes).
func printRuntimePids(w io.Writer, pids []int, format string) error {
	switch format {
	case "json":
		if pids == nil {
			pids = []int{}
		}
		return json.NewEncoder(w).Encode(pids)
	case "table":
	default:
		return fmt.Errorf("invalid format option")
	}
	out, err := exec.Command("ps", "-ef").Output()
	if err != nil {
		tw := tabwriter.NewWriter(w, 0, 8, 1, ' ', 0)
		fmt.Fprintln(tw, "PID")
		for _, p := range pids {
			fmt.Fprintln(tw, p)
		}
		return tw.Flush()
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	fmt.Fprintln(w, lines[0])
	// procps puts PID second, busybox first: the header says where.
	col := slices.Index(strings.Fields(lines[0]), "PID")
	if col < 0 {
		return fmt.Errorf("ps -ef: no PID column in %q", lines[0])
	}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) <= col {
			continue
		}
		if p, err := strconv.Atoi(f[col]); err == nil && slices.Contains(pids, p) {
			fmt.Fprintln(w, l)
		}
	}
	return nil
}

// printRuntimeList prints `list` as runc does.
func printRuntimeList(w io.Writer, sts []*ociruntime.State, format string, quiet bool) error {
	if quiet {
		for _, s := range sts {
			fmt.Fprintln(w, s.ID)
		}
		return nil
	}
	switch format {
	case "json":
		if sts == nil {
			sts = []*ociruntime.State{}
		}
		return json.NewEncoder(w).Encode(sts)
	case "table":
	default:
		return fmt.Errorf("invalid format option")
	}
	tw := tabwriter.NewWriter(w, 12, 1, 3, ' ', 0)
	fmt.Fprint(tw, "ID\tPID\tSTATUS\tBUNDLE\tCREATED\tOWNER\n")
	for _, s := range sts {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", s.ID, s.Pid, s.Status, s.Bundle, s.Created.Format(time.RFC3339Nano), s.Owner)
	}
	return tw.Flush()
}

// readResources reads update's --resources JSON ("-": stdin).
func readResources(name string) (*specs.LinuxResources, error) {
	if name == "" {
		return nil, errors.New("update: --resources is required (hint: a runtime-spec LinuxResources JSON, - for stdin)")
	}
	var r io.Reader = os.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	var res specs.LinuxResources
	if err := json.NewDecoder(r).Decode(&res); err != nil {
		return nil, fmt.Errorf("update: read resources: %w", err)
	}
	return &res, nil
}
