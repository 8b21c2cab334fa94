package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"pocket/run"
	"pocket/store"
)

func logsCommand() *cli.Command {
	return &cli.Command{
		Name: "logs", Usage: "fetch the logs of a container", ArgsUsage: "CONTAINER",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "follow", Aliases: []string{"f"}, Usage: "follow log output"},
			&cli.StringFlag{Name: "tail", Aliases: []string{"n"}, Value: "all", Usage: "number of lines to show from the end"},
		},
		Action: actionWith(1, logsOptions, func(c *cli.Context, s *store.Store, o run.LogsOptions) error {
			return run.Logs(signalContext(), s, c.Args().First(), o)
		}),
	}
}

// logsOptions turns `pocket logs`'s flags into run.LogsOptions.
func logsOptions(c *cli.Context) (run.LogsOptions, error) {
	o := run.LogsOptions{Follow: c.Bool("follow"), Stdout: os.Stdout, Stderr: os.Stderr}
	var err error
	if o.Tail, err = run.ParseTail(c.String("tail")); err != nil {
		return o, fmt.Errorf("invalid argument %q for \"-n, --tail\" flag", c.String("tail"))
	}
	return o, nil
}
