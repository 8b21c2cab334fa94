package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// canonicalFlags rewrites each flag of args that is an alias (-e, or
// --env of a flag named otherwise) to its flag's first name, so that
// `run -e A=1 --env B=2` sets --env twice, as Docker's CLI takes it:
// urfave/cli refuses two forms of one flag ("Cannot use two forms of the
// same flag"). args is os.Args; a new slice is returned.
//
// Only what urfave/cli would read as flags is touched: the flags before
// the command, then each command's (and subcommand's) up to its first
// positional argument or "--". A flag's value is never rewritten, even
// when it looks like a flag (`-e -v`, `--entrypoint --help`), and
// combined short flags (-it) are split as urfave/cli splits them.
func canonicalFlags(a *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	out := append([]string{args[0]}, canonicalIn(a.Flags, a.Commands, args[1:])...)
	return out
}

// canonicalIn rewrites args, which start in the flags of a command (or
// the app) whose flags are flags and subcommands cmds.
func canonicalIn(flags []cli.Flag, cmds []*cli.Command, args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || a == "-" || !strings.HasPrefix(a, "-") {
			if a == "--" || a == "-" {
				return append(out, args[i:]...)
			}
			cmd := findCommand(cmds, a)
			if cmd == nil || cmd.SkipFlagParsing {
				return append(out, args[i:]...)
			}
			return append(append(out, a), canonicalIn(cmd.Flags, cmd.Subcommands, args[i+1:])...)
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
		if f := findFlag(flags, name); f != nil {
			if takesValue(f) && !hasValue && i+1 == len(args) {
				// Its value is missing: urfave/cli's error names it as typed.
				out = append(out, a)
				continue
			}
			canon := "--" + f.Names()[0]
			if hasValue {
				canon += "=" + value
			}
			out = append(out, canon)
			if takesValue(f) && !hasValue {
				i++
				out = append(out, args[i])
			}
			continue
		}
		// -it: each letter a flag, as urfave/cli's short option handling
		// splits it (only when the whole is no flag of its own). A letter
		// taking a value takes the next argument; only the last may, or
		// the letters after it would be its value, so anything else is
		// left for urfave/cli to refuse.
		if split, last := splitShort(flags, a); split != nil && !(takesValue(last) && i+1 == len(args)) {
			out = append(out, split...)
			if takesValue(last) {
				i++
				out = append(out, args[i])
			}
			continue
		}
		out = append(out, a) // unknown: urfave/cli says so
	}
	return out
}

// splitShort is -abc as --a-name --b-name --c-name, and the last letter's
// flag; nil when a is not such a group.
func splitShort(flags []cli.Flag, a string) ([]string, cli.Flag) {
	if len(a) < 3 || a[0] != '-' || a[1] == '-' || strings.Contains(a, "=") {
		return nil, nil
	}
	letters := a[1:]
	var split []string
	var f cli.Flag
	for i, c := range letters {
		if f = findFlag(flags, string(c)); f == nil {
			return nil, nil
		}
		if takesValue(f) && i < len(letters)-1 {
			return nil, nil
		}
		split = append(split, "--"+f.Names()[0])
	}
	return split, f
}

func findFlag(flags []cli.Flag, name string) cli.Flag {
	if name == "" {
		return nil
	}
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// takesValue is whether the flag reads the next argument as its value.
func takesValue(f cli.Flag) bool {
	v, ok := f.(interface{ TakesValue() bool })
	return ok && v.TakesValue()
}
