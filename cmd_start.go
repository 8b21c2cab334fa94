package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"pocket/run"
	"pocket/store"
)

func startCommand() *cli.Command {
	return &cli.Command{
		Name: "start", Usage: "start one or more stopped containers", ArgsUsage: "CONTAINER [CONTAINER...]",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "attach", Aliases: []string{"a"}, Usage: "attach STDOUT/STDERR and forward signals"},
			&cli.BoolFlag{Name: "interactive", Aliases: []string{"i"}, Usage: "attach the container's STDIN"},
		},
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			if c.Bool("attach") || c.Bool("interactive") {
				return startAttached(c, s)
			}
			return startDetached(c, s)
		}),
	}
}

// startAttached is start -a: one container, its status pocket's; pocket's
// own failure exits 125, as run's.
func startAttached(c *cli.Context, s *store.Store) error {
	if c.NArg() > 1 {
		return errors.New("you cannot start and attach multiple containers at once")
	}
	return startsContainer(func(c *cli.Context) error {
		code, err := run.StartAttached(s, c.Args().First(), run.StartOptions{
			Interactive: c.Bool("interactive"), Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		})
		if err != nil {
			return err
		}
		return exitCode(code)
	})(c)
}

// startDetached starts every container as Docker's CLI does: each name
// printed once started, each error on stderr, and one error naming the
// containers that did not start (exit 1).
func startDetached(c *cli.Context, s *store.Store) error {
	var failed []string
	for _, id := range c.Args().Slice() {
		if err := run.Start(s, id); err != nil {
			fmt.Fprintf(os.Stderr, "pocket: %v\n", err)
			failed = append(failed, id)
			continue
		}
		fmt.Println(id)
	}
	if len(failed) > 0 {
		return &cliError{code: 1, msg: "Error: failed to start containers: " + strings.Join(failed, ", ")}
	}
	return nil
}
