package main

import (
	"fmt"
	"os"
	"time"

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
			&cli.BoolFlag{Name: "timestamps", Aliases: []string{"t"}, Usage: "show timestamps"},
			&cli.StringFlag{Name: "since", Usage: "show logs since a time (2013-01-02T13:23:37Z) or a duration before now (42m)"},
			&cli.StringFlag{Name: "until", Usage: "show logs before a time (2013-01-02T13:23:37Z) or a duration before now (42m)"},
		},
		Action: actionWith(1, logsOptions, func(c *cli.Context, s *store.Store, o run.LogsOptions) error {
			return run.Logs(signalContext(), s, c.Args().First(), o)
		}),
	}
}

// logsOptions turns `pocket logs`'s flags into run.LogsOptions.
func logsOptions(c *cli.Context) (run.LogsOptions, error) {
	o := run.LogsOptions{Follow: c.Bool("follow"), Timestamps: c.Bool("timestamps"), Stdout: os.Stdout, Stderr: os.Stderr}
	now := time.Now()
	var err error
	for _, f := range []struct {
		name string
		t    *time.Time
	}{{"since", &o.Since}, {"until", &o.Until}} {
		if v := c.String(f.name); v != "" {
			if *f.t, err = run.ParseLogTime(v, now); err != nil {
				return o, fmt.Errorf("invalid value for %q: %w", f.name, err)
			}
		}
	}
	if o.Tail, err = run.ParseTail(c.String("tail")); err != nil {
		return o, fmt.Errorf("invalid argument %q for \"-n, --tail\" flag", c.String("tail"))
	}
	return o, nil
}
