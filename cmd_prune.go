package main

// The prune commands in one file: five groups' `prune`, each one call of
// run.PruneUnused and one printPruned, differing only in what they select.

import (
	"os"

	"github.com/urfave/cli/v2"

	"pocket/run"
	"pocket/store"
)

// forceFlag is Docker's -f of every prune; pocket never prompts.
func forceFlag() cli.Flag {
	return &cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "do not prompt (pocket never prompts)"}
}

// prune is a prune command's body: the report is printed even with an
// error, for what went before it.
func prune(s *store.Store, o run.PruneOptions) error {
	r, err := run.PruneUnused(s, o)
	printPruned(os.Stdout, r)
	return err
}

func containerPruneCommand() *cli.Command {
	return &cli.Command{
		Name: "prune", Usage: "remove all stopped containers",
		Before: noArgs,
		Flags:  []cli.Flag{forceFlag()},
		Action: action(0, func(c *cli.Context, s *store.Store) error {
			return prune(s, run.PruneOptions{Containers: true})
		}),
	}
}

func imagePruneCommand() *cli.Command {
	return &cli.Command{
		Name: "prune", Usage: "remove unused images",
		Before: noArgs,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "remove all images no container uses, not just dangling ones"},
			forceFlag(),
		},
		Action: action(0, func(c *cli.Context, s *store.Store) error {
			return prune(s, run.PruneOptions{Images: true, AllImages: c.Bool("all")})
		}),
	}
}

func networkPruneCommand() *cli.Command {
	return &cli.Command{
		Name: "prune", Usage: "remove the bridge and pocket's iptables rules if no container uses them",
		Before: noArgs,
		Flags:  []cli.Flag{forceFlag()},
		Action: action(0, func(c *cli.Context, s *store.Store) error {
			return prune(s, run.PruneOptions{Networks: true})
		}),
	}
}

func volumePruneCommand() *cli.Command {
	return &cli.Command{
		Name: "prune", Usage: "remove volumes no container uses (anonymous ones unless --all)",
		Before: noArgs,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "remove named volumes too"},
			forceFlag(),
		},
		Action: action(0, func(c *cli.Context, s *store.Store) error {
			return prune(s, run.PruneOptions{Volumes: true, AllVolumes: c.Bool("all")})
		}),
	}
}

func systemPruneCommand() *cli.Command {
	return &cli.Command{
		Name: "prune", Usage: "remove stopped containers, unused networks, dangling images and the build cache",
		Before: noArgs,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "remove all images no container uses, not just dangling ones"},
			forceFlag(),
		},
		Action: action(0, func(c *cli.Context, s *store.Store) error {
			return prune(s, run.PruneOptions{Containers: true, Networks: true, Images: true, AllImages: c.Bool("all"), BuildCache: true})
		}),
	}
}
