package main

import (
	"github.com/urfave/cli/v2"

	"pocket/run"
	"pocket/store"
)

func exportCommand() *cli.Command {
	return &cli.Command{
		Name: "export", Usage: "export a container's filesystem as a tar archive (stdout by default)", ArgsUsage: "CONTAINER",
		Flags: []cli.Flag{&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write to a file"}},
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			if err := argsExactly(c, 1); err != nil {
				return err
			}
			return run.ExportFile(s, c.Args().First(), c.String("output"))
		}),
	}
}
