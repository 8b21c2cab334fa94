package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"pocket/pull"
	"pocket/reference"
	"pocket/store"
)

func pullCommand() *cli.Command {
	return &cli.Command{
		Name: "pull", Usage: "download an image from a registry", ArgsUsage: "IMAGE",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print only the image reference"}, platformFlag()},
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			o := pull.Options{Registries: registries(c), Platform: c.String("platform"), Quiet: c.Bool("quiet"), Out: os.Stdout}
			// docker-archive:, oci-archive: and oci: as podman pull takes
			// them; it prints the image ID.
			a, isArchive, err := pull.ParseArchive(c.Args().First())
			if err != nil {
				return err
			}
			if isArchive {
				img, err := pull.FromArchive(signalContext(), s, a, o)
				if err == nil {
					fmt.Println(img.ID)
				}
				return err
			}
			ref, err := reference.Parse(c.Args().First())
			if err != nil {
				return err
			}
			pinned, err := lockedRef(c, ref, o.Platform)
			if err != nil {
				return err
			}
			if _, err = pull.Pull(signalContext(), s, pinned, o); err != nil || pinned == ref {
				return err
			}
			// The tag names what the lockfile pinned, so that a run
			// without --locked finds the same image.
			return s.Tag(reference.Canonical(pinned), ref)
		}),
	}
}
