package main

import (
	"os"

	"github.com/urfave/cli/v2"
)

// completionCommand is `pocket completion bash|zsh|fish`. main answers it
// before anything else (no user namespace, no store, no lock), through
// completionMain; the command is here for help and usage errors.
func completionCommand() *cli.Command {
	return &cli.Command{
		Name: "completion", Usage: "print a shell completion script (bash, zsh or fish)", ArgsUsage: "bash|zsh|fish",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return &cliError{code: 1, msg: "pocket: 'pocket completion' requires exactly 1 argument: bash, zsh or fish"}
			}
			return writeCompletion(os.Stdout, c.Args().First(), c.App)
		},
	}
}

// completionMain answers `pocket completion SHELL` before the user
// namespace re-exec: a script is text, and a rootless user's shell asks
// for it at every start.
func completionMain(args []string) int {
	if len(args) != 1 {
		return status(&cliError{code: 1, msg: "pocket: 'pocket completion' requires exactly 1 argument: bash, zsh or fish"})
	}
	return status(writeCompletion(os.Stdout, args[0], app()))
}
