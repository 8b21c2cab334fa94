package main

import (
	"time"

	"github.com/urfave/cli/v2"

	"pocket/run"
	"pocket/store"
)

func stopCommand() *cli.Command {
	return &cli.Command{
		Name: "stop", Usage: "stop running containers", ArgsUsage: "CONTAINER [CONTAINER...]",
		Flags: stopFlags(),
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			o := stopOptions(c)
			return forEach(c, func(id string) ([]string, error) { return echo(id, run.Stop(s, id, o)) })
		}),
	}
}

// stopFlags are stop's and restart's.
func stopFlags() []cli.Flag {
	return []cli.Flag{
		&cli.IntFlag{Name: "time", Aliases: []string{"t"}, Usage: "seconds to wait before killing (default the container's --stop-timeout, else 10)"},
		&cli.StringFlag{Name: "signal", Aliases: []string{"s"}, Usage: "signal to send (default the container's --stop-signal, else SIGTERM)"},
	}
}

func stopOptions(c *cli.Context) run.StopOptions {
	o := run.StopOptions{Signal: c.String("signal")}
	if c.IsSet("time") {
		t := time.Duration(c.Int("time")) * time.Second
		o.Timeout = &t
	}
	return o
}
