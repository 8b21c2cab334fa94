package main

import (
	"errors"
	"fmt"

	units "github.com/docker/go-units"
	"github.com/urfave/cli/v2"

	"pocket/run"
	"pocket/store"
)

func imagePruneCommand() *cli.Command {
	return &cli.Command{
		Name: "prune", Usage: "remove unused images",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "remove all images no container uses, not just dangling ones"},
			&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "do not prompt (pocket never prompts)"},
		},
		Action: action(0, func(c *cli.Context, s *store.Store) error {
			deleted, reclaimed, err := s.PruneImages(c.Bool("all"))
			if len(deleted) > 0 {
				fmt.Println("Deleted Images:")
				for _, d := range deleted {
					fmt.Println("deleted: " + d)
				}
				fmt.Println()
			}
			fmt.Printf("Total reclaimed space: %s\n", units.HumanSize(float64(reclaimed)))
			return err
		}),
	}
}

func containerPruneCommand() *cli.Command {
	return &cli.Command{
		Name: "prune", Usage: "remove all stopped containers",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "do not prompt (pocket never prompts)"}},
		Action: action(0, func(c *cli.Context, s *store.Store) error {
			ids, err := run.Prune(s)
			if len(ids) > 0 {
				fmt.Println("Deleted Containers:")
				for _, id := range ids {
					fmt.Println(id)
				}
				fmt.Println()
			}
			return err
		}),
	}
}

func networkPruneCommand() *cli.Command {
	return &cli.Command{
		Name: "prune", Usage: "remove the bridge and pocket's iptables rules if no container uses them",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "do not prompt (pocket never prompts)"}},
		Action: action(0, func(c *cli.Context, s *store.Store) error {
			names, err := run.PruneNetworks(s)
			printDeleted("Deleted Networks:", names)
			return err
		}),
	}
}

func systemPruneCommand() *cli.Command {
	return &cli.Command{
		Name: "prune", Usage: "remove stopped containers, unused networks and dangling images",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "remove all images no container uses, not just dangling ones"},
			&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "do not prompt (pocket never prompts)"},
		},
		Action: action(0, func(c *cli.Context, s *store.Store) error {
			ids, cerr := run.Prune(s)
			printDeleted("Deleted Containers:", ids)
			names, nerr := run.PruneNetworks(s)
			printDeleted("Deleted Networks:", names)
			deleted, reclaimed, ierr := s.PruneImages(c.Bool("all"))
			for i := range deleted {
				deleted[i] = "deleted: " + deleted[i]
			}
			printDeleted("Deleted Images:", deleted)
			fmt.Printf("Total reclaimed space: %s\n", units.HumanSize(float64(reclaimed)))
			return errors.Join(cerr, nerr, ierr)
		}),
	}
}
