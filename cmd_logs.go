package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"pocket/run"
)

func logsCommand() *cli.Command {
	return &cli.Command{
		Name: "logs", Usage: "fetch the logs of a container", ArgsUsage: "CONTAINER",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "follow", Aliases: []string{"f"}, Usage: "follow log output"},
			&cli.StringFlag{Name: "tail", Aliases: []string{"n"}, Value: "all", Usage: "number of lines to show from the end"},
		},
		Action: func(c *cli.Context) error {
			if err := args(c, 1, "CONTAINER"); err != nil {
				return err
			}
			tail := -1
			if t := c.String("tail"); t != "all" {
				if _, err := fmt.Sscan(t, &tail); err != nil || tail < 0 {
					return fmt.Errorf("invalid argument %q for \"-n, --tail\" flag", t)
				}
			}
			s, err := openStore(c)
			if err != nil {
				return err
			}
			return run.Logs(signalContext(), s, c.Args().First(), run.LogsOptions{Follow: c.Bool("follow"), Tail: tail, Stdout: os.Stdout, Stderr: os.Stderr})
		},
	}
}
