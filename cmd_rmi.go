package main

import (
	"github.com/urfave/cli/v2"

	"pocket/store"
)

// rmiCommand is `pocket rmi` and `pocket image rm`.
func rmiCommand() *cli.Command {
	return &cli.Command{
		Name: "rmi", Usage: "remove images", ArgsUsage: "IMAGE [IMAGE...]",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "remove even if a container uses it"}},
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			force := c.Bool("force")
			return forEach(c, func(ref string) ([]string, error) {
				untagged, deleted, err := s.RemoveImage(ref, force)
				return append(untagged, deleted...), err
			})
		}),
	}
}
