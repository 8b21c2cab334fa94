package main

// The volume group in one file: each of its commands is a few lines.

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"pocket/filter"
	"pocket/run"
	"pocket/store"
)

func volumeCommand() *cli.Command {
	return &cli.Command{Name: "volume", Usage: "manage volumes", Subcommands: []*cli.Command{
		volumeCreateCommand(), volumeLsCommand(), volumeInspectCommand(), volumeRmCommand(), volumePruneCommand(),
	}}
}

func volumeCreateCommand() *cli.Command {
	return &cli.Command{
		Name: "create", Usage: "create a volume (a random name if none is given)", ArgsUsage: "[VOLUME]",
		Action: actionWith(0, func(c *cli.Context) (string, error) { return c.Args().First(), argsAtMost(c, 1) },
			func(c *cli.Context, s *store.Store, name string) error {
				name, err := run.VolumeCreate(s, name)
				if err != nil {
					return err
				}
				fmt.Println(name)
				return nil
			}),
	}
}

func volumeLsCommand() *cli.Command {
	return &cli.Command{
		Name: "ls", Aliases: []string{"list"}, Usage: "list volumes",
		Before: noArgs,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "only show volume names"},
			filterFlag(),
			&cli.StringFlag{Name: "format", Usage: "a Go template (\"{{.Name}}\", \"table ...\"), or json for one JSON object a line"},
		},
		Action: actionWith(0, filtersOf(run.VolumeFilterKeys), func(c *cli.Context, s *store.Store, f filter.Args) error {
			rows, err := run.VolumeList(s, f)
			if err != nil {
				return err
			}
			return printVolumes(os.Stdout, rows, c.Bool("quiet"), c.String("format"))
		}),
	}
}

func volumeInspectCommand() *cli.Command {
	return &cli.Command{
		Name: "inspect", Usage: "show volumes' details as JSON", ArgsUsage: "VOLUME [VOLUME...]",
		Flags: []cli.Flag{inspectFormatFlag()},
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			return inspectAll(s, c.Args().Slice(), c.String("format"), run.VolumeInspect)
		}),
	}
}

func volumeRmCommand() *cli.Command {
	return &cli.Command{
		Name: "rm", Aliases: []string{"remove"}, Usage: "remove volumes", ArgsUsage: "VOLUME [VOLUME...]",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "no error for a missing volume"}},
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			force := c.Bool("force")
			return forEach(c, func(name string) ([]string, error) { return echo(name, run.VolumeRemove(s, name, force)) })
		}),
	}
}
