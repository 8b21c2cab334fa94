package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"pocket/pull"
	"pocket/run"
	"pocket/store"
)

func imageInspectCommand() *cli.Command {
	return &cli.Command{
		Name: "inspect", Usage: "show an image's details as JSON", ArgsUsage: "IMAGE [IMAGE...]",
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			return inspectAll(c.Args().Slice(), func(ref string) (any, error) { return pull.Inspect(s, ref) })
		}),
	}
}

func inspectCommand() *cli.Command {
	return &cli.Command{
		Name: "inspect", Usage: "show a container's or an image's details as JSON", ArgsUsage: "NAME|ID [NAME|ID...]",
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			return inspectAll(c.Args().Slice(), func(ref string) (any, error) {
				v, err := run.Inspect(s, ref)
				if errors.Is(err, store.ErrContainerUnknown) {
					if v, ierr := pull.Inspect(s, ref); ierr == nil {
						return v, nil
					}
					return nil, fmt.Errorf("no such object: %s", ref)
				}
				return v, err
			})
		}),
	}
}

func containerInspectCommand() *cli.Command {
	c := inspectCommand()
	c.Usage = "show a container's details as JSON"
	c.Action = action(1, func(c *cli.Context, s *store.Store) error {
		return inspectAll(c.Args().Slice(), func(ref string) (any, error) { return run.Inspect(s, ref) })
	})
	return c
}
