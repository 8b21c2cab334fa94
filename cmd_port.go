package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"pocket/run"
	"pocket/store"
)

func portCommand() *cli.Command {
	return &cli.Command{
		Name: "port", Usage: "list a container's published ports", ArgsUsage: "CONTAINER [PRIVATE_PORT[/PROTO]]",
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			ls, err := run.Ports(s, c.Args().First(), c.Args().Get(1))
			for _, l := range ls {
				fmt.Println(l)
			}
			return err
		}),
	}
}
