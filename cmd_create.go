package main

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"pocket/run"
	"pocket/store"
)

func createCommand() *cli.Command {
	var flags []cli.Flag
	for _, f := range runFlags() {
		if f.Names()[0] != "detach" {
			flags = append(flags, f)
		}
	}
	return &cli.Command{
		Name: "create", Usage: "create a new container", ArgsUsage: "IMAGE [COMMAND] [ARG...]",
		Flags: flags,
		Action: startsContainer(actionWith(1, runOptions, func(c *cli.Context, s *store.Store, o run.Options) error {
			id, err := run.Create(context.Background(), s, o)
			if err != nil {
				return err
			}
			fmt.Println(id)
			return nil
		})),
	}
}
