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
			Name: "systemd", Usage: "write a systemd unit that starts a container at boot", ArgsUsage: "CONTAINER",
			Flags: []cli.Flag{
				&cli.BoolFlag{Name: "name", Aliases: []string{"n"}, Usage: "name the container by its name rather than its ID"},
				&cli.StringFlag{Name: "restart-policy", Value: "on-failure", Usage: "systemd restart policy (no, on-success, on-failure, on-abnormal, on-watchdog, on-abort, always)"},
			},
			Action: func(c *cli.Context) error {
				if err := argsExactly(c, 1); err != nil {
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
