package main

import (
	"github.com/urfave/cli/v2"

	"pocket/run"
	"pocket/store"
)

// rmContainerCommand is `pocket rm` and `pocket container rm` (`rm` of the
// image group is rmi).
func rmContainerCommand() *cli.Command {
	return &cli.Command{
		Name: "rm", Usage: "remove containers", ArgsUsage: "CONTAINER [CONTAINER...]",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "kill and remove a running container"},
			&cli.BoolFlag{Name: "volumes", Aliases: []string{"v"}, Usage: "remove its anonymous volumes"},
		},
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			force, volumes := c.Bool("force"), c.Bool("volumes")
			return forEach(c, func(id string) ([]string, error) { return echo(id, run.Remove(s, id, force, volumes)) })
		}),
	}
}
