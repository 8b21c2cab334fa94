package main

import (
	"os"

	"github.com/urfave/cli/v2"

	"pocket/ns"
	"pocket/plan"
	"pocket/run"
	"pocket/store"
)

func execCommand() *cli.Command {
	return &cli.Command{
		Name: "exec", Usage: "run a command in a running container", ArgsUsage: "CONTAINER COMMAND [ARG...]",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "interactive", Aliases: []string{"i"}, Usage: "keep STDIN open"},
			&cli.BoolFlag{Name: "tty", Aliases: []string{"t"}, Usage: "allocate a pseudo-TTY"},
			&cli.BoolFlag{Name: "detach", Aliases: []string{"d"}, Usage: "detached mode: run the command in the background"},
			&cli.StringSliceFlag{Name: "env", Aliases: []string{"e"}, Usage: "set an environment variable (K=V, or K to copy the host's)"},
			&cli.StringSliceFlag{Name: "env-file", Usage: "read environment variables from a file"},
			&cli.StringFlag{Name: "workdir", Aliases: []string{"w"}, Usage: "working directory inside the container"},
			&cli.StringFlag{Name: "user", Aliases: []string{"u"}, Usage: "name|uid[:group|gid]"},
			&cli.BoolFlag{Name: "privileged", Usage: "give extended privileges (all capabilities) to the command"},
			&cli.StringFlag{Name: "detach-keys", Usage: "accepted for Docker's command lines; pocket has no detach keys for exec"},
		},
		Action: startsContainer(actionWith(2, execOptions, func(c *cli.Context, s *store.Store, o run.ExecOptions) error {
			code, err := run.Exec(s, o)
			if err != nil {
				return err
			}
			return exitCode(code)
		})),
	}
}

// execOptions turns `pocket exec`'s flags into run.ExecOptions.
func execOptions(c *cli.Context) (run.ExecOptions, error) {
	o := run.ExecOptions{
		Container: c.Args().First(), Args: c.Args().Tail(),
		Interactive: c.Bool("interactive"), TTY: c.Bool("tty"), Detach: c.Bool("detach"),
		Privileged: c.Bool("privileged"), User: c.String("user"), Workdir: c.String("workdir"),
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
	}
	if err := ns.CheckUser(o.User); err != nil {
		return o, err
	}
	env, err := plan.ExecEnv(c.StringSlice("env"), c.StringSlice("env-file"))
	if err != nil {
		return o, err
	}
	o.Env = env
	return o, nil
}
