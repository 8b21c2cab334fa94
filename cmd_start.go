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
			&cli.BoolFlag{Name: "boot", Usage: "start the stopped containers Docker's daemon would restart when it starts, by their --restart (for a boot unit: pocket generate systemd --boot)"},
		},
		Action: func(c *cli.Context) error {
			if c.Bool("boot") {
				return startBoot(c)
			}
			return startContainers(c)
		},
	}
}

func startContainers(c *cli.Context) error {
	return action(1, func(c *cli.Context, s *store.Store) error {
		if c.Bool("attach") || c.Bool("interactive") {
			return startAttached(c, s)
		}
		return startDetached(c, s)
	})(c)
}

// startBoot is start --boot: every container whose restart policy applies
// when the host starts, each printed once started, as startDetached.
func startBoot(c *cli.Context) error {
	if c.NArg() > 0 || c.Bool("attach") || c.Bool("interactive") {
		return errors.New("--boot takes no container and cannot attach")
	}
	return action(0, func(c *cli.Context, s *store.Store) error {
		ids, err := run.BootContainers(s)
		if err != nil {
			return err
		}
		return startEach(s, ids)
	})(c)
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
	return startEach(s, c.Args().Slice())
}

func startEach(s *store.Store, ids []string) error {
	var failed []string
	for _, id := range ids {
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
