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
		Action: func(c *cli.Context) error {
			return each(c, func(s *store.Store, id string) error { return run.Kill(s, id, c.String("signal")) })
		},
	}
}
