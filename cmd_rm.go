package main

import (
	"github.com/urfave/cli/v2"

	"pocket/run"
	"pocket/store"
)

func rmContainerCommand() *cli.Command {
	return &cli.Command{
		Name: "rm", Usage: "remove containers", ArgsUsage: "CONTAINER [CONTAINER...]",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "kill and remove a running container"},
			&cli.BoolFlag{Name: "volumes", Aliases: []string{"v"}, Usage: "remove its anonymous volumes"},
		},
		Action: func(c *cli.Context) error {
			return each(c, func(s *store.Store, id string) error { return run.Remove(s, id, c.Bool("force"), c.Bool("volumes")) })
		},
	}
}
