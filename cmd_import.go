package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"pocket/reference"
	"pocket/run"
	"pocket/store"
)

func importCommand() *cli.Command {
	return &cli.Command{
		Name: "import", Usage: "import the contents from a tarball to create a filesystem image", ArgsUsage: "file|URL|- [REPOSITORY[:TAG]]",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "change", Aliases: []string{"c"}, Usage: "apply Dockerfile instruction to the created image"},
			&cli.StringFlag{Name: "message", Aliases: []string{"m"}, Usage: "set commit message for imported image"},
		},
		Action: actionWith(1, importOptions, func(c *cli.Context, s *store.Store, o run.ImportOptions) error {
			id, err := run.Import(signalContext(), s, o)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.App.Writer, id)
			return nil
		}),
	}
}

// importOptions parses import's flags and arguments once.
func importOptions(c *cli.Context) (run.ImportOptions, error) {
	o := run.ImportOptions{Source: c.Args().First(), Comment: c.String("message")}
	if err := argsAtMost(c, 2); err != nil {
		return o, err
	}
	var err error
	if o.Changes, err = run.ParseChanges(c.StringSlice("change")); err != nil {
		return o, err
	}
	if c.NArg() == 2 {
		if o.Ref, err = reference.Parse(c.Args().Get(1)); err != nil {
			return o, fmt.Errorf("import %s: %w", c.Args().Get(1), err)
		}
	}
	return o, nil
}
