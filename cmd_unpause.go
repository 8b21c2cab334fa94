package main

import (
	"github.com/urfave/cli/v2"

	"pocket/run"
	"pocket/store"
)

func unpauseCommand() *cli.Command {
	return &cli.Command{
		Name: "unpause", Usage: "unpause all processes within one or more containers", ArgsUsage: "CONTAINER [CONTAINER...]",
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			return forEach(c, func(id string) ([]string, error) { return echo(id, run.Unpause(s, id)) })
		}),
	}
}
