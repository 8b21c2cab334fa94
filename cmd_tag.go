package main

import (
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/urfave/cli/v2"

	"pocket/reference"
	"pocket/store"
)

func tagCommand() *cli.Command {
	return &cli.Command{
		Name: "tag", Usage: "create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", ArgsUsage: "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
		Action: actionWith(0, tagTarget, func(c *cli.Context, s *store.Store, dst name.Reference) error {
			return s.Tag(c.Args().First(), dst)
		}),
	}
}

// tagTarget checks tag's two arguments and parses TARGET_IMAGE, the one
// that becomes a name (SOURCE_IMAGE may be an image ID).
func tagTarget(c *cli.Context) (name.Reference, error) {
	if err := argsExactly(c, 2); err != nil {
		return nil, err
	}
	dst, err := reference.Parse(c.Args().Get(1))
	if err != nil {
		return nil, fmt.Errorf("tag %s: %w", c.Args().Get(1), err)
	}
	return dst, nil
}
