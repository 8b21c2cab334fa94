package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/urfave/cli/v2"

	"pocket/pull"
	"pocket/reference"
	"pocket/store"
)

func pushCommand() *cli.Command {
	return &cli.Command{
		Name: "push", Usage: "upload an image to a registry", ArgsUsage: "[OPTIONS] NAME[:TAG]",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "all-tags", Aliases: []string{"a"}, Usage: "push all tags of the repository"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "suppress verbose output"},
		},
		Action: failWith1(actionWith(0, pushRef, func(c *cli.Context, s *store.Store, ref name.Reference) error {
			o := pull.PushOptions{Registries: registries(c), AllTags: c.Bool("all-tags"), Quiet: c.Bool("quiet"), Out: os.Stdout, Err: os.Stderr}
			return pull.Push(signalContext(), s, ref, o)
		})),
	}
}

// pushRef parses push's one argument; with --all-tags it must name a
// repository alone, as in Docker.
func pushRef(c *cli.Context) (name.Reference, error) {
	if err := argsExactly(c, 1); err != nil {
		return nil, err
	}
	arg := c.Args().First()
	ref, err := reference.Parse(arg)
	if err != nil {
		return nil, err
	}
	if c.Bool("all-tags") && strings.ContainsAny(arg[strings.LastIndexByte(arg, '/')+1:], ":@") {
		return nil, fmt.Errorf("tag can't be used with --all-tags/-a")
	}
	return ref, nil
}
