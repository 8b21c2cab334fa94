package main

import (
	"os"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"pocket/run"
	"pocket/store"
)

func cpCommand() *cli.Command {
	return &cli.Command{
		Name: "cp", Usage: "copy files/folders between a container and the local filesystem",
		ArgsUsage: "CONTAINER:SRC_PATH DEST_PATH|-\n   pocket cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "archive", Aliases: []string{"a"}, Usage: "archive mode (copy all uid/gid information)"},
			&cli.BoolFlag{Name: "follow-link", Aliases: []string{"L"}, Usage: "always follow symlinks in SRC_PATH"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "suppress progress output during copy (automatic without a terminal)"},
		},
		Action: actionWith(2, cpOptions, func(c *cli.Context, s *store.Store, o run.CopyOptions) error {
			return run.Copy(s, o, os.Stdin, os.Stdout, os.Stderr)
		}),
	}
}

// cpOptions parses cp's two arguments and flags; as Docker's CLI, it is
// quiet unless stdout is a terminal.
func cpOptions(c *cli.Context) (run.CopyOptions, error) {
	if err := argsExactly(c, 2); err != nil {
		return run.CopyOptions{}, err
	}
	o, err := run.ParseCopy(c.Args().Get(0), c.Args().Get(1))
	if err != nil {
		return o, err
	}
	o.FollowLink, o.Archive = c.Bool("follow-link"), c.Bool("archive")
	o.Quiet = c.Bool("quiet") || !term.IsTerminal(int(os.Stdout.Fd()))
	return o, nil
}
