package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"pocket/run"
	"pocket/store"
)

func waitCommand() *cli.Command {
	return &cli.Command{
		Name: "wait", Usage: "block until containers stop, then print their exit codes", ArgsUsage: "CONTAINER [CONTAINER...]",
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			var errs []error
			for _, id := range c.Args().Slice() {
				code, err := run.Wait(signalContext(), s, id)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				fmt.Println(code)
			}
			return errors.Join(errs...)
		}),
	}
}
