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
		Action: func(c *cli.Context) error {
			return each(c, func(s *store.Store, id string) error {
				return run.Stop(s, id, time.Duration(c.Int("time"))*time.Second)
			})
		},
	}
}
