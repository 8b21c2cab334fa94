package main

import (
	"github.com/urfave/cli/v2"

	"pocket/run"
	"pocket/store"
)

func renameCommand() *cli.Command {
	return &cli.Command{
		Name: "rename", Usage: "rename a container", ArgsUsage: "CONTAINER NEW_NAME",
		Action: func(c *cli.Context) error {
			if err := argsExactly(c, 2); err != nil {
				return err
			}
			return action(2, func(c *cli.Context, s *store.Store) error {
				return run.Rename(s, c.Args().Get(0), c.Args().Get(1))
			})(c)
		},
	}
}
