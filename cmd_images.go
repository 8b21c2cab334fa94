package main

import (
	"os"

	"github.com/urfave/cli/v2"

	"pocket/filter"
	"pocket/store"
)

func imagesCommand() *cli.Command {
	return &cli.Command{
		Name: "images", Usage: "list images", ArgsUsage: "[REPOSITORY[:TAG]]",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "only show image IDs"},
			&cli.BoolFlag{Name: "digests", Usage: "show digests"},
			&cli.BoolFlag{Name: "no-trunc", Usage: "don't truncate output"},
			filterFlag(),
			&cli.StringFlag{Name: "format", Usage: "a Go template (\"{{.Repository}}:{{.Tag}}\", \"table ...\"), or json for one JSON object a line"},
		},
		Action: actionWith(0, filtersOf(store.ImageFilterKeys), func(c *cli.Context, s *store.Store, f filter.Args) error {
			imgs, err := s.FilterImages(f)
			if err != nil {
				return err
			}
			format := configFormat(c.String("format"), func(_, images string) string { return images })
			return printImages(os.Stdout, imageRows(imgs, c.Args().First(), f["reference"]),
				listOpts{quiet: c.Bool("quiet"), noTrunc: c.Bool("no-trunc"), format: format}, c.Bool("digests"))
		}),
	}
}
