package main

import (
	"github.com/urfave/cli/v2"

	"pocket/run"
	"pocket/store"
)

func restartCommand() *cli.Command {
	return &cli.Command{
		Name: "restart", Usage: "restart containers", ArgsUsage: "CONTAINER [CONTAINER...]",
		Flags: stopFlags(),
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			o := stopOptions(c)
			return forEach(c, func(id string) ([]string, error) { return echo(id, run.Restart(s, id, o)) })
		}),
	}
}
