package main

// The command line's contract with scripts, as Docker's CLI keeps it
// (docker/cli cli/cobra.go, cli/required.go, cmd/docker/docker.go): help
// on stdout with status 0; a refused command line on stderr only, exit
// 125 for a bad flag and 1 for the rest; 1 for any other failure but
// those of the commands that start a container.

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"

	"pocket/run"
)

// cliError is a failure Docker's CLI prints as it is, without "pocket: ",
// and exits with code: a command line it refuses (1; 125 for a flag), a
// --format that is no template (64).
type cliError struct {
	code int
	msg  string
}

func (e *cliError) Error() string { return e.msg }

// codedError is a failure printed as any other ("pocket: ..."), with an
// exit status other than 1.
type codedError struct {
	code int
	err  error
}

func (e *codedError) Error() string { return e.err.Error() }
func (e *codedError) Unwrap() error { return e.err }

// startsContainer is the action of a command that starts a container
// (run; Docker's create, start and exec too): as in Docker, its own
// failures exit 125, so a script tells them from the container's 126
// (cannot execute), 127 (not found) and its own statuses. A refused
// command line keeps its status.
func startsContainer(a cli.ActionFunc) cli.ActionFunc {
	return func(c *cli.Context) error {
		err := a(c)
		var (
			code exitCode
			ce   *cliError
			ee   *run.ExitError
		)
		if err == nil || errors.As(err, &code) || errors.As(err, &ce) || errors.As(err, &ee) {
			return err
		}
		return &codedError{code: 125, err: err}
	}
}

// helpFlag is --help, and -h too on every command that does not take -h
// for itself (run's --hostname, as in Docker). urfave/cli has one help
// flag for all commands: an alias would clash with run's -h, and
// checking "h" would read a --hostname of "true" as a request for help.
type helpFlag struct{ *cli.BoolFlag }

func (f *helpFlag) Apply(set *flag.FlagSet) error {
	if err := f.BoolFlag.Apply(set); err != nil {
		return err
	}
	if set.Lookup("h") == nil {
		set.Var(set.Lookup(f.Name).Value, "h", f.Usage)
	}
	return nil
}

// setUsage gives every command below cmds Docker's answer to a bad
// flag, and every command group its answer to no or an unknown command.
func setUsage(cmds []*cli.Command) {
	for _, c := range cmds {
		c.OnUsageError = flagError
		// Only pocket itself has a help command: `pocket pull help`
		// pulls "help", as in Docker.
		c.HideHelpCommand = true
		if len(c.Subcommands) > 0 && c.Action == nil {
			c.Action = groupAction
		}
		setUsage(c.Subcommands)
	}
}

// flagError is Docker's FlagErrorFunc: pflag's words, the usage line,
// where to read more, and 125 whatever the command.
func flagError(c *cli.Context, err error, _ bool) error {
	path := commandPath(c)
	return &cliError{code: 125, msg: fmt.Sprintf("%s\n\nUsage:  %s\n\nRun '%s --help' for more information",
		flagWords(c.Command, err), useLine(c), path)}
}

// flagErrors are compiled on the first bad flag, not at every start of
// pocket (and of its container init, which runs the same binary).
var flagErrors = sync.OnceValue(func() (re struct{ notDefined, needsArg, badValue *regexp.Regexp }) {
	re.notDefined = regexp.MustCompile(`^flag provided but not defined: -(.+)$`)
	re.needsArg = regexp.MustCompile(`^flag needs an argument: -(.+)$`)
	re.badValue = regexp.MustCompile(`^invalid (?:boolean )?value ("(?:[^"\\]|\\.)*") for (?:flag )?-([^:]+): (.*)$`)
	return re
})

// flagWords turns the Go flag package's message into pflag's, which
// Docker prints. A one-letter name was typed as a shorthand.
func flagWords(cmd *cli.Command, err error) string {
	msg := err.Error()
	re := flagErrors()
	if m := re.notDefined.FindStringSubmatch(msg); m != nil {
		if len(m[1]) == 1 {
			return fmt.Sprintf("unknown shorthand flag: '%s' in -%s", m[1], m[1])
		}
		return "unknown flag: --" + m[1]
	}
	if m := re.needsArg.FindStringSubmatch(msg); m != nil {
		if len(m[1]) == 1 {
			return fmt.Sprintf("flag needs an argument: '%s' in -%s", m[1], m[1])
		}
		return "flag needs an argument: --" + m[1]
	}
	if m := re.badValue.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("invalid argument %s for %q flag: %s", m[1], flagNames(cmd, m[2]), m[3])
	}
	return msg
}

// flagNames is a flag as pflag names it in an error: "-m, --memory".
func flagNames(cmd *cli.Command, name string) string {
	if cmd != nil {
		for _, f := range cmd.Flags {
			names := f.Names()
			if !contains(names, name) {
				continue
			}
			var short, long string
			for _, n := range names {
				if len(n) == 1 && short == "" {
					short = "-" + n
				} else if len(n) > 1 && long == "" {
					long = "--" + n
				}
			}
			if short != "" && long != "" {
				return short + ", " + long
			}
			return short + long
		}
	}
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// useLine is Docker's usage line: "pocket ps [OPTIONS]", "pocket tag
// SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]", "pocket image".
func useLine(c *cli.Context) string {
	path := commandPath(c)
	if isRoot(c) {
		return path + " [OPTIONS] COMMAND [ARG...]"
	}
	if len(c.Command.Subcommands) > 0 {
		return path
	}
	for _, f := range c.Command.Flags {
		if _, help := f.(*helpFlag); !help {
			path += " [OPTIONS]"
			break
		}
	}
	if c.Command.ArgsUsage != "" {
		path += " " + c.Command.ArgsUsage
	}
	return path
}

func isRoot(c *cli.Context) bool { return !strings.Contains(commandPath(c), " ") }

// groupAction is the action of pocket itself and of each command group:
// without a command, its help on stderr (as Docker prints it, status 0);
// with one it does not know, Docker's error and status 1.
func groupAction(c *cli.Context) error {
	path := commandPath(c)
	if c.Args().Present() {
		if isRoot(c) {
			return &cliError{code: 1, msg: fmt.Sprintf("%s: unknown command: %s %s\n\nRun '%s --help' for more information",
				c.App.Name, path, c.Args().First(), path)}
		}
		return &cliError{code: 1, msg: fmt.Sprintf("%s: unknown command: %s %s\n\nUsage:  %s\n\nRun '%s --help' for more information",
			c.App.Name, path, c.Args().First(), useLine(c), path)}
	}
	w := c.App.Writer
	c.App.Writer = os.Stderr
	defer func() { c.App.Writer = w }()
	if isRoot(c) {
		return cli.ShowAppHelp(c)
	}
	return cli.ShowSubcommandHelp(c)
}

// argsError is Docker's error for a wrong count of arguments (status 1):
// "pocket: 'pocket pull' requires at least 1 argument", the usage line
// and where to read more, in cli/required.go's words.
func argsError(c *cli.Context, requires, more string) error {
	path := commandPath(c)
	return &cliError{code: 1, msg: fmt.Sprintf("%s: '%s' requires %s\n\nUsage:  %s\n\n%s '%s --help' for more information",
		c.App.Name, path, requires, useLine(c), more, path)}
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// noArgs is the Before of a command that takes no arguments (Docker's
// cli.NoArgs): `pocket ps x` is refused before the store is opened.
func noArgs(c *cli.Context) error { return argsAtMost(c, 0) }

// noArgsError is Docker's error for arguments to a command that takes
// none (cli.NoArgs).
func noArgsError(c *cli.Context) error {
	path := commandPath(c)
	return &cliError{code: 1, msg: fmt.Sprintf("%s: '%s' accepts no arguments\n\nUsage:  %s\n\nRun '%s --help' for more information",
		c.App.Name, path, useLine(c), path)}
}
