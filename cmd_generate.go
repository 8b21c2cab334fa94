package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"pocket/run"
	"pocket/store"
	"pocket/version"
)

func generateCommand() *cli.Command {
	return &cli.Command{
		Name: "generate", Usage: "generate files for other tools", Subcommands: []*cli.Command{{
			Name: "systemd", Usage: "write a systemd unit that starts a container at boot", ArgsUsage: "CONTAINER | --boot",
			Flags: []cli.Flag{
				&cli.BoolFlag{Name: "boot", Usage: "a unit that runs `pocket start --boot` at boot: containers come back by their --restart"},
				&cli.BoolFlag{Name: "name", Aliases: []string{"n"}, Usage: "name the container by its name rather than its ID"},
				&cli.StringFlag{Name: "restart-policy", Value: "on-failure", Usage: "systemd restart policy (no, on-success, on-failure, on-abnormal, on-watchdog, on-abort, always)"},
			},
			Action: func(c *cli.Context) error {
				want := 1
				if c.Bool("boot") {
					want = 0
				}
				if err := argsExactly(c, want); err != nil {
					return err
				}
				exe, err := os.Executable()
				if err != nil {
					return err
				}
				if exe, err = filepath.EvalSymlinks(exe); err != nil {
					return err
				}
				root, err := filepath.Abs(c.String("root"))
				if err != nil {
					return err
				}
				o := run.SystemdOptions{UseName: c.Bool("name"), RestartPolicy: c.String("restart-policy"),
					Exe: exe, Root: root, Version: version.Get().Version}
				if c.Bool("boot") {
					_, unit := run.SystemdBootUnit(o)
					fmt.Print(unit)
					return nil
				}
				return action(1, func(c *cli.Context, s *store.Store) error {
					_, unit, err := run.SystemdUnit(s, c.Args().First(), o)
					if err != nil {
						return err
					}
					fmt.Print(unit)
					return nil
				})(c)
			},
		}},
	}
}
