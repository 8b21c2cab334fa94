package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"pocket/run"
	"pocket/store"
)

func diffCommand() *cli.Command {
	return &cli.Command{
		Name: "diff", Usage: "list the files a container added (A), changed (C) or deleted (D)", ArgsUsage: "CONTAINER",
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			if err := argsExactly(c, 1); err != nil {
				return err
			}
			changes, err := run.Diff(s, c.Args().First())
			if err != nil {
				return err
			}
			for _, ch := range changes {
				fmt.Fprintf(c.App.Writer, "%c %s\n", ch.Kind, ch.Path)
			}
			return nil
		}),
	}
}
