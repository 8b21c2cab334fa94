package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"pocket/store"
)

func rmiCommand() *cli.Command {
	return &cli.Command{
		Name: "rmi", Usage: "remove images", ArgsUsage: "IMAGE [IMAGE...]",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "remove even if a container uses it"}},
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			var errs []error
			for _, ref := range c.Args().Slice() {
				untagged, deleted, err := s.RemoveImage(ref, c.Bool("force"))
				for _, line := range append(untagged, deleted...) {
					fmt.Println(line)
				}
				if err != nil {
					errs = append(errs, err)
				}
			}
			return errors.Join(errs...)
		}),
	}
}
