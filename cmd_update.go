package main

import (
	"errors"

	"github.com/urfave/cli/v2"

	"pocket/plan"
	"pocket/run"
	"pocket/store"
)

func updateCommand() *cli.Command {
	return &cli.Command{
		Name: "update", Usage: "update configuration of one or more containers", ArgsUsage: "CONTAINER [CONTAINER...]",
		Flags: append(limitFlags(),
			&cli.StringFlag{Name: "restart", Usage: "restart policy to apply when the container exits: no, on-failure[:N], always, unless-stopped"},
		),
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			if c.NumFlags() == 0 {
				return errors.New("you must provide one or more flags when using this command")
			}
			u, err := updateOptions(c)
			if err != nil {
				return err
			}
			return forEach(c, func(id string) ([]string, error) { return echo(id, run.Update(s, id, u)) })
		}),
	}
}

// updateOptions reads the flags given, in Docker's grammar.
func updateOptions(c *cli.Context) (run.UpdateOptions, error) {
	u, err := limitOptions(c, c.IsSet)
	if err != nil {
		return u, err
	}
	if c.IsSet("restart") {
		p, err := plan.ParseRestart(c.String("restart"))
		if err != nil {
			return u, err
		}
		u.Restart = &p
	}
	return u, nil
}
