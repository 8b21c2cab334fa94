package main

// inspect, image inspect and container inspect: one verb, three scopes.

import (
	"github.com/urfave/cli/v2"

	"pocket/pull"
	"pocket/run"
	"pocket/store"
)

func inspectCommand() *cli.Command {
	return &cli.Command{
		Name: "inspect", Usage: "show a container's or an image's details as JSON", ArgsUsage: "NAME|ID [NAME|ID...]",
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			return inspectAll(s, c.Args().Slice(), run.InspectAny)
		}),
	}
}

func imageInspectCommand() *cli.Command {
	return &cli.Command{
		Name: "inspect", Usage: "show an image's details as JSON", ArgsUsage: "IMAGE [IMAGE...]",
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			return inspectAll(s, c.Args().Slice(), pull.Inspect)
		}),
	}
}

func containerInspectCommand() *cli.Command {
	c := inspectCommand()
	c.Usage = "show a container's details as JSON"
	c.Action = action(1, func(c *cli.Context, s *store.Store) error {
		return inspectAll(s, c.Args().Slice(), run.Inspect)
	})
	return c
}
