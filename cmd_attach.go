package main

import (
	"os"

	"github.com/urfave/cli/v2"

	"pocket/run"
	"pocket/store"
)

func attachCommand() *cli.Command {
	return &cli.Command{
		Name: "attach", Usage: "attach local standard input, output, and error streams to a running container", ArgsUsage: "CONTAINER",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "no-stdin", Usage: "do not attach STDIN"},
			&cli.BoolFlag{Name: "sig-proxy", Value: true, Usage: "proxy all received signals to the process (not with -t)"},
			&cli.StringFlag{Name: "detach-keys", Value: run.DefaultDetachKeys, Usage: "key sequence for detaching a container (with -t)"},
		},
		Action: actionWith(1, attachOptions, func(c *cli.Context, s *store.Store, o run.AttachOptions) error {
			code, err := run.Attach(s, c.Args().First(), o)
			if err != nil {
				return err
			}
			return exitCode(code)
		}),
	}
}

func attachOptions(c *cli.Context) (run.AttachOptions, error) {
	o := run.AttachOptions{NoStdin: c.Bool("no-stdin"), SigProxy: c.Bool("sig-proxy"), Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
	if err := argsExactly(c, 1); err != nil {
		return o, err
	}
	keys, err := run.ParseDetachKeys(c.String("detach-keys"))
	o.DetachKeys = keys
	return o, err
}
