package main

import (
	"os"

	"github.com/urfave/cli/v2"

	"pocket/run"
	"pocket/store"
)

func psCommand() *cli.Command {
	return &cli.Command{
		Name: "ps", Usage: "list containers",
		Before: noArgs,
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
