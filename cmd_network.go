package main

// The network group: pocket's three networks (bridge, host, none) listed
// and inspected as Docker shows its predefined ones, and prune.

import (
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"pocket/run"
	"pocket/store"
)

func networkCommand() *cli.Command {
	return &cli.Command{Name: "network", Usage: "manage the container network", Subcommands: []*cli.Command{
		networkLsCommand(), networkInspectCommand(), networkPruneCommand(),
	}}
}

func networkLsCommand() *cli.Command {
	return &cli.Command{
		Name: "ls", Aliases: []string{"list"}, Usage: "list networks",
		Before: noArgs,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "only display network IDs"},
			&cli.BoolFlag{Name: "no-trunc", Usage: "do not truncate the output"},
			filterFlag(),
			&cli.StringFlag{Name: "format", Usage: "a Go template (\"{{.Name}}\", \"table ...\"), or json for one JSON object a line"},
		},
		Action: func(c *cli.Context) error {
			f, err := filtersOf(run.NetworkFilterKeys)(c)
			if err != nil {
				return err
			}
			return printNetworks(os.Stdout, run.NetworkList(f), listOpts{quiet: c.Bool("quiet"), noTrunc: c.Bool("no-trunc"), format: c.String("format")})
		},
	}
}

func networkInspectCommand() *cli.Command {
	return &cli.Command{
		Name: "inspect", Usage: "show networks' details as JSON", ArgsUsage: "NETWORK [NETWORK...]",
		Flags: []cli.Flag{inspectFormatFlag()},
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			return inspectAll(s, c.Args().Slice(), c.String("format"), func(_ *store.Store, ref string) (run.NetworkInfo, error) {
				return run.NetworkInspect(ref)
			})
		}),
	}
}

var networkHeaders = map[string]string{
	"ID": "NETWORK ID", "Name": "NAME", "Driver": "DRIVER", "Scope": "SCOPE", "IPv6": "IPV6",
	"Internal": "INTERNAL", "Labels": "LABELS", "CreatedAt": "CREATED AT",
}

// networkDefaultFormat is Docker's network ls table.
const networkDefaultFormat = "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}"

func printNetworks(w io.Writer, rows []run.NetworkSummary, o listOpts) error {
	if !o.noTrunc {
		for i := range rows {
			rows[i].ID = rows[i].ID[:12]
		}
	}
	if done, err := printListed(w, rows, o.quiet, o.format, func(r run.NetworkSummary) string { return r.ID }); done {
		return err
	}
	format := o.format
	if isDefaultTable(format) {
		format = networkDefaultFormat
	}
	return printTemplate(w, rows, format, networkHeaders, func(r run.NetworkSummary) any { return r })
}
