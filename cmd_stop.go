package main

import (
	"time"

	"github.com/urfave/cli/v2"

	"pocket/run"
	"pocket/store"
)

func stopCommand() *cli.Command {
	return &cli.Command{
		Name: "stop", Usage: "stop running containers", ArgsUsage: "CONTAINER [CONTAINER...]",
		Flags: []cli.Flag{&cli.IntFlag{Name: "time", Aliases: []string{"t"}, Value: 10, Usage: "seconds to wait before killing"}},
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			timeout := time.Duration(c.Int("time")) * time.Second
			return forEach(c, func(id string) ([]string, error) { return echo(id, run.Stop(s, id, timeout)) })
		}),
	}
}
