package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"pocket/reference"
)

func tagCommand() *cli.Command {
	return &cli.Command{
		Name: "tag", Usage: "create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", ArgsUsage: "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
		Action: func(c *cli.Context) error {
			if c.NArg() != 2 {
				return fmt.Errorf("%q requires exactly 2 arguments\nUsage: %s %s", commandPath(c), commandPath(c), c.Command.ArgsUsage)
			}
			dst, err := reference.Parse(c.Args().Get(1))
			if err != nil {
				return fmt.Errorf("tag %s: %w", c.Args().Get(1), err)
			}
			s, err := openStore(c)
			if err != nil {
				return err
			}
			return s.Tag(c.Args().Get(0), dst)
		},
	}
}
