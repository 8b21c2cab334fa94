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

	"github.com/urfave/cli/v2"

	"pocket/lockfile"
	"pocket/ns"
	"pocket/privilege"
	"pocket/pull"
	"pocket/run"
	"pocket/store"
	"pocket/trace"
	"pocket/version"
)

func main() {
	trace.Mark("main")
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
	// Named pocket-runc (a symlink), pocket is its OCI runtime: runc's
	// command line, for containerd, Docker and Podman.
	if filepath.Base(os.Args[0]) == runtimeName {
		os.Exit(runtimeMain(os.Args))
	}
	if len(os.Args) > 1 && os.Args[1] == ns.ExecInitCommand {
		ns.ExecInit()
	}
	if len(os.Args) > 1 && os.Args[1] == run.MonitorCommand {
		os.Exit(run.Monitor(os.Args[2:]))
	}
	if len(os.Args) > 1 && os.Args[1] == "completion" {
		os.Exit(completionMain(os.Args[2:]))
	}
	// A non-root user becomes root in a user namespace of its own before
	// anything else (the init and monitor above already run inside one).
	// pocket's own failure, before any command: 125, as Docker's. doctor
	// stays out: it must run, and say why, where no namespace can be made.
	if commandName(os.Args[1:]) != "doctor" {
		if err := ns.EnterUserNS(); err != nil {
			os.Exit(status(&codedError{code: 125, err: err}))
		}
	}
	a := app()
	os.Exit(status(a.Run(canonicalFlags(a, os.Args))))
}

// status turns an error into Docker's exit status and prints it: 1, or
// the status the error carries (125 from run, a container's own).
func status(err error) int {
	if err == nil {
		return 0
	}
	var code exitCode
	if errors.As(err, &code) {
		return int(code)
	}
	var ce *cliError
	if errors.As(err, &ce) {
		fmt.Fprintln(os.Stderr, ce.msg)
		return ce.code
	}
	fmt.Fprintf(os.Stderr, "pocket: %v\n", err)
	var f failure
	if errors.As(err, &f) {
		return 1
	}
	var ee *run.ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	var coded *codedError
	if errors.As(err, &coded) {
		return coded.code
	}
	return 1
}

// exitCode is a silent exit with a status (a container's own).
type exitCode int

func (c exitCode) Error() string { return fmt.Sprintf("exit status %d", int(c)) }

// failure is an error of a command that exits 1 when it fails, as the
// Docker CLI's push, login and logout do.
type failure struct{ error }

func (f failure) Unwrap() error { return f.error }

// failWith1 makes every error of fn exit 1.
func failWith1(fn cli.ActionFunc) cli.ActionFunc {
	return func(c *cli.Context) error {
		if err := fn(c); err != nil {
			return failure{err}
		}
		return nil
	}
}

// valueFlags are the global flags that take a value as the next argument.
var valueFlags = map[string]bool{"--root": true, "--registry-mirror": true, "--insecure-registry": true, "--log-level": true, "--lockfile": true}

// commandName is the command args name after the global flags, "" when
// there is none, read before urfave/cli parses them.
func commandName(args []string) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return ""
		case valueFlags[a]:
			i++
		case len(a) > 0 && a[0] == '-':
		default:
			return a
		}
	}
	return ""
}

func defaultRoot() string {
	if !privilege.Rootless() {
		return "/var/lib/pocket"
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "pocket")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".local", "share", "pocket")
}

func app() *cli.App {
	// -h is `run --hostname`, as in Docker; help is --help there.
	cli.HelpFlag = &helpFlag{&cli.BoolFlag{Name: "help", Usage: "show help"}}
	cli.VersionPrinter = printShortVersion
	cli.VersionFlag = &cli.BoolFlag{Name: "version", Aliases: []string{"v"}, Usage: "print the version and quit"}
	a := &cli.App{
		Name:                      "pocket",
		Usage:                     "run containers from OCI and Docker images, without a daemon",
		UseShortOptionHandling:    true,
		DisableSliceFlagSeparator: true,
		HideHelpCommand:           true,
		ExitErrHandler:            func(*cli.Context, error) {},
		Version:                   version.Get().Version,
		OnUsageError:              flagError,
		Action:                    groupAction,
		Before:                    checkLogLevel,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "root", Value: defaultRoot(), EnvVars: []string{"POCKET_ROOT"}, Usage: "store directory"},
			&cli.StringSliceFlag{Name: "registry-mirror", EnvVars: []string{"POCKET_REGISTRY_MIRROR"}, Usage: "mirror for Docker Hub references, tried in order (comma-separated)"},
			&cli.StringSliceFlag{Name: "insecure-registry", EnvVars: []string{"POCKET_INSECURE_REGISTRIES"}, Usage: "registry HOST[:PORT] reached over plain HTTP (comma-separated)"},
			&cli.BoolFlag{Name: "locked", Usage: "resolve image tags through the lockfile (./" + lockfile.Name + " unless --lockfile); refuse a tag it does not pin"},
			&cli.StringFlag{Name: "lockfile", EnvVars: []string{"POCKET_LOCKFILE"}, Usage: "lockfile to resolve image tags through (implies --locked)"},
			&cli.StringFlag{Name: "log-level", Value: "warn", EnvVars: []string{"POCKET_LOG_LEVEL"}, Usage: "debug, info, warn or error"},
			cli.HelpFlag, // urfave/cli adds it only without a help command
		},
		Commands: []*cli.Command{
			pullCommand(), pushCommand(), imagesCommand(), rmiCommand(), tagCommand(), saveCommand(), loadCommand(),
			loginCommand(), logoutCommand(), lockCommand(),
			{Name: "image", Usage: "manage images", Subcommands: []*cli.Command{
				pullCommand(), pushCommand(), lsCommand(imagesCommand()), rmCommand(rmiCommand()), tagCommand(), saveCommand(), loadCommand(),
				imagePruneCommand(), imageInspectCommand(),
				historyCommand(), importCommand(), buildCommand(),
			}},
			buildCommand(), builderCommand(),
			runCommand(), psCommand(), logsCommand(), stopCommand(), killCommand(), rmContainerCommand(),
			waitCommand(), inspectCommand(), portCommand(), execCommand(), topCommand(), updateCommand(),
			createCommand(), startCommand(), restartCommand(), pauseCommand(), unpauseCommand(), renameCommand(),
			attachCommand(),
			commitCommand(),
			diffCommand(),
			historyCommand(),
			exportCommand(),
			importCommand(),
			cpCommand(),
			statsCommand(),
			{Name: "container", Usage: "manage containers", Subcommands: []*cli.Command{
				runCommand(), lsCommand(psCommand()), logsCommand(), stopCommand(), killCommand(),
				rmCommand(rmContainerCommand()), waitCommand(), containerPruneCommand(), containerInspectCommand(),
				portCommand(), execCommand(), topCommand(), updateCommand(),
				commitCommand(), diffCommand(), exportCommand(),
				createCommand(), startCommand(), restartCommand(), pauseCommand(), unpauseCommand(), renameCommand(),
				attachCommand(),
				cpCommand(), statsCommand(),
			}},
			networkCommand(), generateCommand(),
			{Name: "system", Usage: "manage pocket", Subcommands: []*cli.Command{systemDfCommand(), systemPruneCommand()}},
			volumeCommand(), versionCommand(), infoCommand(), doctorCommand(), completionCommand(), helpCommand(),
			runtimeCommand(),
		},
	}
	setUsage(a.Commands)
	return a
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
		if err := argsAtLeast(c, min); err != nil {
			return err
		}
		s, err := openStore(c)
		if err != nil {
			return err
		}
		return fn(c, s)
	}
}

// actionWith is action for a command whose flags parse into options o
// first, before the store is opened: a flag refused touches nothing.
func actionWith[O any](min int, opts func(*cli.Context) (O, error), fn func(c *cli.Context, s *store.Store, o O) error) cli.ActionFunc {
	return func(c *cli.Context) error {
		if err := argsAtLeast(c, min); err != nil {
			return err
		}
		o, err := opts(c)
		if err != nil {
			return err
		}
		s, err := openStore(c)
		if err != nil {
			return err
		}
		return fn(c, s, o)
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
	warnOnce(s, ns.UserNSWarning())
	return s, nil
}

// warnOnce prints a rootless pocket's warning about its id mapping on
// stderr the first time a store sees it, not on every command: a marker
// in the store remembers the warning given.
func warnOnce(s *store.Store, warning string) {
	if warning == "" {
		return
	}
	marker := filepath.Join(s.Root(), "userns-warning")
	if b, err := os.ReadFile(marker); err == nil && string(b) == warning {
		return
	}
	fmt.Fprintln(os.Stderr, "pocket: warning: "+warning)
	_ = os.WriteFile(marker, []byte(warning), 0o600)
}

func registries(c *cli.Context) pull.Registries {
	return pull.Registries{Mirrors: c.StringSlice("registry-mirror"), Insecure: c.StringSlice("insecure-registry")}
}

// argsAtLeast, argsExactly and argsAtMost check the count of positional
// arguments in Docker's words, with the command's usage line.
func argsAtLeast(c *cli.Context, min int) error {
	if c.NArg() < min {
		return argsError(c, "at least "+plural(min, "argument"), "See")
	}
	return nil
}

func argsExactly(c *cli.Context, n int) error {
	if c.NArg() != n {
		return argsError(c, plural(n, "argument"), "Run")
	}
	return nil
}

func argsAtMost(c *cli.Context, n int) error {
	if c.NArg() > n {
		if n == 0 {
			return noArgsError(c)
		}
		return argsError(c, "at most "+plural(n, "argument"), "Run")
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

// forEach calls fn for every positional argument, as Docker's CLI does
// for the commands that take several objects: it prints the lines fn
// returns, even with an error (rmi untags before it fails), and joins the
// errors.
func forEach(c *cli.Context, fn func(arg string) ([]string, error)) error {
	var errs []error
	for _, arg := range c.Args().Slice() {
		lines, err := fn(arg)
		for _, l := range lines {
			fmt.Println(l)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// echo is forEach's fn result for the commands that print the argument
// once done with it: stop, kill, rm and volume rm.
func echo(arg string, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	return []string{arg}, nil
}

// signalContext is cancelled by SIGINT or SIGTERM, so a pull or a follow
// stops cleanly (temporaries removed) when the user interrupts it.
func signalContext() context.Context {
	ctx, _ := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	return ctx
}
