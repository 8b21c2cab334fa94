package main

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"pocket/run"
	"pocket/store"
)

func topCommand() *cli.Command {
	return &cli.Command{
		Name: "top", Usage: "display the running processes of a container", ArgsUsage: "CONTAINER [ps OPTIONS]",
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			r, err := run.Top(s, c.Args().First(), c.Args().Tail())
			if err != nil {
				return err
			}
			// Docker's CLI table: tabwriter with minwidth 20, padding 3.
			w := tabwriter.NewWriter(os.Stdout, 20, 1, 3, ' ', 0)
			fmt.Fprintln(w, strings.Join(r.Titles, "\t"))
			for _, p := range r.Processes {
				fmt.Fprintln(w, strings.Join(p, "\t"))
			}
			return w.Flush()
		}),
	}
}
