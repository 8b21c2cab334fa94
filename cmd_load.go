package main

import (
	"os"

	"github.com/urfave/cli/v2"

	"pocket/pull"
	"pocket/store"
)

func loadCommand() *cli.Command {
	return &cli.Command{
		Name: "load", Usage: "load images from a tar archive or OCI layout (stdin by default)",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "input", Aliases: []string{"i"}, Usage: "read from a file or OCI layout directory"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "suppress progress"},
		},
		Action: action(0, func(c *cli.Context, s *store.Store) error {
			names, err := pull.Load(signalContext(), s, c.String("input"), pull.Options{Quiet: c.Bool("quiet"), Out: os.Stdout})
			printLoaded(os.Stdout, names)
			return err
		}),
	}
}
