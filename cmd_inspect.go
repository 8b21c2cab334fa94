package main

// inspect, image inspect and container inspect: one verb, three scopes.

import (
	"github.com/urfave/cli/v2"

	"pocket/pull"
	"pocket/run"
	"pocket/store"
)

// inspectFormatFlag is -f, --format: a Go template over each object's
// JSON ({{.State.Running}}, {{json .Config}}), as docker inspect.
func inspectFormatFlag() cli.Flag {
	return &cli.StringFlag{Name: "format", Aliases: []string{"f"}, Usage: "format the output using the given Go template ({{.State.Status}})"}
}

func inspectCommand() *cli.Command {
	return &cli.Command{
		Name: "inspect", Usage: "show a container's or an image's details as JSON", ArgsUsage: "NAME|ID [NAME|ID...]",
		Flags: []cli.Flag{inspectFormatFlag()},
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			return inspectAll(s, c.Args().Slice(), c.String("format"), run.InspectAny)
		}),
	}
}

func imageInspectCommand() *cli.Command {
	return &cli.Command{
		Name: "inspect", Usage: "show an image's details as JSON", ArgsUsage: "IMAGE [IMAGE...]",
		Flags: []cli.Flag{inspectFormatFlag()},
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			return inspectAll(s, c.Args().Slice(), c.String("format"), pull.Inspect)
		}),
	}
}

func containerInspectCommand() *cli.Command {
	c := inspectCommand()
	c.Usage = "show a container's details as JSON"
	c.Action = action(1, func(c *cli.Context, s *store.Store) error {
		return inspectAll(s, c.Args().Slice(), c.String("format"), run.Inspect)
	})
	return c
}
