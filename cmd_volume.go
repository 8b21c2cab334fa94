package main

import (
	"errors"
	"fmt"
	"os"

	units "github.com/docker/go-units"
	"github.com/urfave/cli/v2"

	"pocket/run"
	"pocket/store"
)

func volumeCommand() *cli.Command {
	return &cli.Command{Name: "volume", Usage: "manage volumes", Subcommands: []*cli.Command{
		{
			Name: "create", Usage: "create a volume (a random name if none is given)", ArgsUsage: "[VOLUME]",
			Action: func(c *cli.Context) error {
				if c.NArg() > 1 {
					return fmt.Errorf("%q requires at most 1 argument\nUsage: %s %s", commandPath(c), commandPath(c), c.Command.ArgsUsage)
				}
				s, err := openStore(c)
				if err != nil {
					return err
				}
				name, err := run.VolumeCreate(s, c.Args().First())
				if err != nil {
					return err
				}
				fmt.Println(name)
				return nil
			},
		},
		{
			Name: "ls", Aliases: []string{"list"}, Usage: "list volumes",
			Flags: []cli.Flag{
				&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "only show volume names"},
				&cli.StringFlag{Name: "format", Usage: "\"json\" for one JSON object a line"},
			},
			Action: action(0, func(c *cli.Context, s *store.Store) error {
				rows, err := run.VolumeList(s)
				if err != nil {
					return err
				}
				return printVolumes(os.Stdout, rows, c.Bool("quiet"), c.String("format"))
			}),
		},
		{
			Name: "inspect", Usage: "show volumes' details as JSON", ArgsUsage: "VOLUME [VOLUME...]",
			Action: action(1, func(c *cli.Context, s *store.Store) error {
				return inspectAll(c.Args().Slice(), func(n string) (any, error) { return run.VolumeInspect(s, n) })
			}),
		},
		{
			Name: "rm", Aliases: []string{"remove"}, Usage: "remove volumes", ArgsUsage: "VOLUME [VOLUME...]",
			Flags: []cli.Flag{&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "no error for a missing volume"}},
			Action: action(1, func(c *cli.Context, s *store.Store) error {
				var errs []error
				for _, n := range c.Args().Slice() {
					if err := run.VolumeRemove(s, n, c.Bool("force")); err != nil {
						errs = append(errs, err)
						continue
					}
					fmt.Println(n)
				}
				return errors.Join(errs...)
			}),
		},
		{
			Name: "prune", Usage: "remove volumes no container uses (anonymous ones unless --all)",
			Flags: []cli.Flag{
				&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "remove named volumes too"},
				&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "do not prompt (pocket never prompts)"},
			},
			Action: action(0, func(c *cli.Context, s *store.Store) error {
				names, reclaimed, err := run.VolumePrune(s, c.Bool("all"))
				if len(names) > 0 {
					fmt.Println("Deleted Volumes:")
					for _, n := range names {
						fmt.Println(n)
					}
					fmt.Println()
				}
				fmt.Printf("Total reclaimed space: %s\n", units.HumanSize(float64(reclaimed)))
				return err
			}),
		},
	}}
}
