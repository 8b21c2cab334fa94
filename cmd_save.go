package main

import (
	"github.com/urfave/cli/v2"

	"pocket/pull"
	"pocket/store"
)

func saveCommand() *cli.Command {
	return &cli.Command{
		Name: "save", Usage: "save images to a tar archive (stdout by default)", ArgsUsage: "IMAGE [IMAGE...]",
		Flags: []cli.Flag{&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write to a file"}},
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			return pull.SaveFile(signalContext(), s, c.Args().Slice(), c.String("output"))
		}),
	}
}
