package main

import (
	"strconv"

	"github.com/urfave/cli/v2"

	"pocket/run"
	"pocket/store"
)

func waitCommand() *cli.Command {
	return &cli.Command{
		Name: "wait", Usage: "block until containers stop, then print their exit codes", ArgsUsage: "CONTAINER [CONTAINER...]",
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			return forEach(c, func(id string) ([]string, error) {
				code, err := run.Wait(signalContext(), s, id)
				if err != nil {
					return nil, err
				}
				return []string{strconv.Itoa(code)}, nil
			})
		}),
	}
}
