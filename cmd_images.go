package main

import (
	"os"

	"github.com/urfave/cli/v2"

	"pocket/store"
)

func imagesCommand() *cli.Command {
	return &cli.Command{
		Name: "images", Usage: "list images", ArgsUsage: "[REPOSITORY[:TAG]]",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "only show image IDs"},
			&cli.BoolFlag{Name: "digests", Usage: "show digests"},
			&cli.StringFlag{Name: "format", Usage: "\"json\" for one JSON object a line"},
		},
		Action: action(0, func(c *cli.Context, s *store.Store) error {
			imgs, err := s.Images()
			if err != nil {
				return err
			}
			return printImages(os.Stdout, imageRows(imgs, c.Args().First()), c.Bool("quiet"), c.Bool("digests"), c.String("format"))
		}),
	}
}
