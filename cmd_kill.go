package main

import (
	"github.com/urfave/cli/v2"

	"pocket/run"
	"pocket/store"
)

func killCommand() *cli.Command {
	return &cli.Command{
		Name: "kill", Usage: "kill running containers", ArgsUsage: "CONTAINER [CONTAINER...]",
		Flags: []cli.Flag{&cli.StringFlag{Name: "signal", Aliases: []string{"s"}, Value: "KILL", Usage: "signal to send"}},
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			sig := c.String("signal")
			return forEach(c, func(id string) ([]string, error) { return echo(id, run.Kill(s, id, sig)) })
		}),
	}
}
