package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"pocket/reference"
	"pocket/run"
	"pocket/store"
)

func commitCommand() *cli.Command {
	return &cli.Command{
		Name: "commit", Usage: "create a new image from a container's changes", ArgsUsage: "CONTAINER [REPOSITORY[:TAG]]",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "author", Aliases: []string{"a"}, Usage: `author (e.g., "John Hannibal Smith <hannibal@a-team.com>")`},
			&cli.StringSliceFlag{Name: "change", Aliases: []string{"c"}, Usage: "apply Dockerfile instruction to the created image"},
			&cli.StringFlag{Name: "message", Aliases: []string{"m"}, Usage: "commit message"},
			&cli.BoolFlag{Name: "pause", Aliases: []string{"p"}, Value: true, Usage: "pause the container during commit (cgroup freezer)"},
		},
		Action: actionWith(1, commitOptions, func(c *cli.Context, s *store.Store, o run.CommitOptions) error {
			id, err := run.Commit(s, c.Args().First(), o)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.App.Writer, id)
			return nil
		}),
	}
}

// commitOptions parses commit's flags and REPOSITORY[:TAG] once.
func commitOptions(c *cli.Context) (run.CommitOptions, error) {
	var o run.CommitOptions
	if err := argsAtMost(c, 2); err != nil {
		return o, err
	}
	changes, err := run.ParseChanges(c.StringSlice("change"))
	if err != nil {
		return o, err
	}
	o = run.CommitOptions{Author: c.String("author"), Comment: c.String("message"), Changes: changes, Pause: c.Bool("pause")}
	if c.NArg() == 2 {
		if o.Ref, err = reference.Parse(c.Args().Get(1)); err != nil {
			return o, fmt.Errorf("commit %s: %w", c.Args().Get(1), err)
		}
	}
	o.Epoch, err = run.SourceDateEpoch()
	return o, err
}
