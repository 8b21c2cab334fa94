package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// helpCommand is Docker's `help [COMMAND]`: the same help as
// `pocket COMMAND --help`, on stdout; a command pocket does not have is
// an unknown help topic (status 1).
func helpCommand() *cli.Command {
	return &cli.Command{
		Name: "help", Usage: "show help for a command", ArgsUsage: "[COMMAND]",
		Action: func(c *cli.Context) error {
			args := c.Args().Slice()
			cmds := c.App.Commands
			for _, name := range args {
				var found *cli.Command
				for _, cmd := range cmds {
					if cmd.HasName(name) {
						found = cmd
					}
				}
				if found == nil {
					return &cliError{code: 1, msg: "unknown help topic: " + strings.Join(args, " ")}
				}
				cmds = found.Subcommands
			}
			return c.App.Run(append(append([]string{c.App.Name}, args...), "--help"))
		},
	}
}
