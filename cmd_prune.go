package main

// The prune commands in one file: five groups' `prune`, each one call of
// run.PruneUnused and one printPruned, differing only in what they select.

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"pocket/cgroup"
	"pocket/run"
	"pocket/store"
)

// forceFlag is Docker's -f of every prune: do not ask.
func forceFlag() cli.Flag {
	return &cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "do not prompt for confirmation"}
}

// pruneFilterFlag is Docker's --filter of the prunes (no -f: that is --force).
func pruneFilterFlag() cli.Flag {
	return &cli.StringSliceFlag{Name: "filter", Usage: "provide filter values (e.g. until=24h, label=KEY=VALUE, label!=KEY)"}
}

// pruneOptions parses a prune's --filter with its keys into the options
// base starts from, before the store is opened. image prune's
// dangling=false and volume prune's all=true are -a, as Docker's CLI
// sends -a.
func pruneOptions(keys []string, base func(*cli.Context) run.PruneOptions) func(*cli.Context) (run.PruneOptions, error) {
	return func(c *cli.Context) (run.PruneOptions, error) {
		o := base(c)
		f, err := filtersOf(keys)(c)
		if err != nil {
			return o, err
		}
		if o.Volumes && f.Has("until") && o.Containers {
			return o, run.ErrUntilWithVolumes
		}
		if dangling, given, err := f.Bool("dangling"); err != nil {
			return o, err
		} else if given && !dangling {
			o.AllImages = true
		}
		if all, _, err := f.Bool("all"); err != nil {
			return o, err
		} else if all {
			o.AllVolumes = true
		}
		o.Filter, err = run.NewPruneFilter(f, time.Now())
		return o, err
	}
}

// Docker's questions, word for word (docker/cli's prune commands).
const (
	warnContainers  = "WARNING! This will remove all stopped containers."
	warnDangling    = "WARNING! This will remove all dangling images."
	warnAllImages   = "WARNING! This will remove all images without at least one container associated to them."
	warnNetworks    = "WARNING! This will remove all custom networks not used by at least one container."
	warnAnonVolumes = "WARNING! This will remove anonymous local volumes not used by at least one container."
	warnAllVolumes  = "WARNING! This will remove all local volumes not used by at least one container."
)

// systemWarning is system prune's question, listing what it removes
// (--volumes adds Docker's volume line).
func systemWarning(all, volumes bool) string {
	images, cache := "all dangling images", "all dangling build cache"
	if all {
		images, cache = "all images without at least one container associated to them", "all build cache"
	}
	w := "WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n"
	if volumes {
		w += "  - all anonymous volumes not used by at least one container\n"
	}
	return w + "  - " + images + "\n  - " + cache + "\n"
}

// confirm asks Docker's question on stdout and reads the answer from
// stdin unless --force: only "y" or "Y" goes on. As docker does, it asks
// whether or not stdin is a terminal, so a script without -f whose stdin
// is empty (CI, < /dev/null) removes nothing instead of everything.
func confirm(force bool, in io.Reader, out io.Writer, warning string) bool {
	if force {
		return true
	}
	fmt.Fprint(out, warning+"\nAre you sure you want to continue? [y/N] ")
	line, _ := bufio.NewReader(in).ReadString('\n')
	return strings.EqualFold(strings.TrimRight(line, "\r\n"), "y")
}

// prune is a prune command's body: the report is printed even with an
// error, for what went before it. Declined, it reclaims nothing and says
// so as docker does (network prune, which measures nothing, is silent).
func prune(c *cli.Context, s *store.Store, warning string, o run.PruneOptions) error {
	if !confirm(c.Bool("force"), os.Stdin, os.Stdout, warning) {
		printPruned(os.Stdout, run.PruneReport{Measured: o.Measured()})
		return nil
	}
	r, err := run.PruneUnused(s, o)
	printPruned(os.Stdout, r)
	return err
}

func containerPruneCommand() *cli.Command {
	return &cli.Command{
		Name: "prune", Usage: "remove all stopped containers",
		Before: noArgs,
		Flags:  []cli.Flag{pruneFilterFlag(), forceFlag()},
		Action: actionWith(0, pruneOptions(run.ContainerPruneFilterKeys, func(*cli.Context) run.PruneOptions {
			return run.PruneOptions{Containers: true}
		}), func(c *cli.Context, s *store.Store, o run.PruneOptions) error {
			return prune(c, s, warnContainers, o)
		}),
	}
}

func imagePruneCommand() *cli.Command {
	return &cli.Command{
		Name: "prune", Usage: "remove unused images",
		Before: noArgs,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "remove all images no container uses, not just dangling ones"},
			pruneFilterFlag(),
			forceFlag(),
		},
		Action: actionWith(0, pruneOptions(run.ImagePruneFilterKeys, func(c *cli.Context) run.PruneOptions {
			return run.PruneOptions{Images: true, AllImages: c.Bool("all")}
		}), func(c *cli.Context, s *store.Store, o run.PruneOptions) error {
			warning := warnDangling
			if o.AllImages {
				warning = warnAllImages
			}
			return prune(c, s, warning, o)
		}),
	}
}

func networkPruneCommand() *cli.Command {
	return &cli.Command{
		Name: "prune", Usage: "remove the bridge and pocket's iptables rules if no container uses them",
		Before: noArgs,
		Flags:  []cli.Flag{forceFlag()},
		Action: action(0, func(c *cli.Context, s *store.Store) error {
			return prune(c, s, warnNetworks, run.PruneOptions{Networks: true})
		}),
	}
}

func volumePruneCommand() *cli.Command {
	return &cli.Command{
		Name: "prune", Usage: "remove volumes no container uses (anonymous ones unless --all)",
		Before: noArgs,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "remove named volumes too"},
			pruneFilterFlag(),
			forceFlag(),
		},
		Action: actionWith(0, pruneOptions(run.VolumePruneFilterKeys, func(c *cli.Context) run.PruneOptions {
			return run.PruneOptions{Volumes: true, AllVolumes: c.Bool("all")}
		}), func(c *cli.Context, s *store.Store, o run.PruneOptions) error {
			warning := warnAnonVolumes
			if o.AllVolumes {
				warning = warnAllVolumes
			}
			return prune(c, s, warning, o)
		}),
	}
}

func systemPruneCommand() *cli.Command {
	return &cli.Command{
		Name: "prune", Usage: "remove stopped containers, unused networks, dangling images and the build cache",
		Before: noArgs,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "remove all images no container uses, not just dangling ones"},
			&cli.DurationFlag{Name: "until", Usage: "also remove images no container used for this long (e.g. 168h), tagged or not"},
			&cli.StringFlag{Name: "max-size", Usage: "then remove the least recently used images until the rest take at most SIZE (e.g. 10g)"},
			&cli.BoolFlag{Name: "volumes", Usage: "prune anonymous volumes"},
			pruneFilterFlag(),
			forceFlag(),
		},
		Action: actionWith(0, pruneOptions(run.SystemPruneFilterKeys, func(c *cli.Context) run.PruneOptions {
			return run.PruneOptions{Containers: true, Networks: true, Images: true, AllImages: c.Bool("all"), Volumes: c.Bool("volumes"), BuildCache: true}
		}), func(c *cli.Context, s *store.Store, o run.PruneOptions) error {
			o.Until = c.Duration("until")
			if o.Until > 0 {
				// The build cache made within DURATION stays, as the images used within it.
				o.CacheUntil = time.Now().Add(-o.Until)
			}
			if v := c.String("max-size"); v != "" {
				n, err := cgroup.ParseSize(v)
				if err != nil || n <= 0 {
					return fmt.Errorf("invalid argument %q for \"--max-size\" flag: want a size such as 10g", v)
				}
				o.MaxSize = n
			}
			return prune(c, s, systemWarning(o.AllImages, o.Volumes), o)
		}),
	}
}
