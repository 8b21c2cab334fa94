package main

import (
	"os"

	"github.com/urfave/cli/v2"

	"pocket/filter"
	"pocket/run"
	"pocket/store"
)

func psCommand() *cli.Command {
	return &cli.Command{
		Name: "ps", Usage: "list containers",
		Before: noArgs,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "show all containers (default shows just running)"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "only display container IDs"},
			&cli.BoolFlag{Name: "no-trunc", Usage: "don't truncate output"},
			&cli.IntFlag{Name: "last", Aliases: []string{"n"}, Value: -1, Usage: "show n last created containers (includes all states)"},
			&cli.BoolFlag{Name: "latest", Aliases: []string{"l"}, Usage: "show the latest created container (includes all states)"},
			filterFlag(),
			&cli.StringFlag{Name: "format", Usage: "a Go template (\"table {{.ID}}\\t{{.Names}}\", \"{{json .}}\"), or json for one JSON object a line"},
		},
		Action: actionWith(0, filtersOf(run.PsFilterKeys), func(c *cli.Context, s *store.Store, f filter.Args) error {
			last := c.Int("last")
			if c.Bool("latest") {
				last = 1
			}
			rows, err := run.List(s, run.ListOptions{All: c.Bool("all"), Last: last, Filters: f})
			if err != nil {
				return err
			}
			format := configFormat(c.String("format"), func(ps, _ string) string { return ps })
			return printContainers(os.Stdout, rows, listOpts{quiet: c.Bool("quiet"), noTrunc: c.Bool("no-trunc"), format: format})
		}),
	}
}
