package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"pocket/build"
	"pocket/filter"
	"pocket/pull"
	"pocket/reference"
	"pocket/run"
	"pocket/store"
)

func buildCommand() *cli.Command {
	return &cli.Command{
		Name: "build", Usage: "build an image from a Dockerfile", ArgsUsage: "PATH | -",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "tag", Aliases: []string{"t"}, Usage: `name and optionally a tag in the "name:tag" format`},
			&cli.StringFlag{Name: "file", Aliases: []string{"f"}, Usage: `name of the Dockerfile (default: "PATH/Dockerfile")`},
			&cli.StringSliceFlag{Name: "build-arg", Usage: "set build-time variables"},
			&cli.StringFlag{Name: "target", Usage: "set the target build stage to build"},
			&cli.BoolFlag{Name: "no-cache", Usage: "do not use cache when building the image"},
			&cli.BoolFlag{Name: "pull", Usage: "always attempt to pull a newer version of the image"},
			&cli.StringFlag{Name: "network", Value: "default", Usage: "networking mode for the RUN instructions (bridge, host, none)"},
			&cli.StringFlag{Name: "iidfile", Usage: "write the image ID to the file"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "suppress the build output and print image ID on success"},
			&cli.StringSliceFlag{Name: "label", Usage: "set metadata for an image"},
			&cli.StringFlag{Name: "platform", EnvVars: []string{"DOCKER_DEFAULT_PLATFORM"}, Usage: "set platform (the host's only)"},
			&cli.StringFlag{Name: "progress", Value: "auto", Usage: "type of progress output (auto, plain, tty, quiet): tty draws a compact live view, plain is the classic log"},
			&cli.StringSliceFlag{Name: "secret", Usage: `secret to expose to the build (format: "id=mysecret[,src=/local/secret]" or "id=mysecret,env=VAR")`},
			&cli.StringSliceFlag{Name: "ssh", Usage: `SSH agent socket or keys to expose to the build (format: "default|<id>[=<socket>|<key>[,<key>]]")`},
			&cli.StringFlag{Name: "source-date-epoch", EnvVars: []string{"SOURCE_DATE_EPOCH"}, Usage: "timestamp for reproducible builds (seconds since the epoch)"},
		},
		Action: actionWith(1, buildOptions, func(c *cli.Context, s *store.Store, o build.Options) error {
			_, err := build.Build(signalContext(), s, o)
			return buildFailure(err)
		}),
	}
}

// buildFailure is err with Docker's build status, 1: a step's container
// that pocket could not start (run's 125) fails the build like any other
// error.
func buildFailure(err error) error {
	var ee *run.ExitError
	if errors.As(err, &ee) {
		return errors.New(err.Error())
	}
	return err
}

// buildOptions parses build's flags and PATH once.
func buildOptions(c *cli.Context) (build.Options, error) {
	var o build.Options
	if err := argsExactly(c, 1); err != nil {
		return o, err
	}
	o = build.Options{
		Context: c.Args().First(), Dockerfile: c.String("file"), BuildArgs: c.StringSlice("build-arg"),
		Target: c.String("target"), NoCache: c.Bool("no-cache"), Pull: c.Bool("pull"),
		IIDFile: c.String("iidfile"), Quiet: c.Bool("quiet"), Labels: c.StringSlice("label"),
		Platform: c.String("platform"),
		PullOpts: pull.Options{Registries: registries(c), Platform: c.String("platform")},
		Stdin:    os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Resolve: func(r name.Reference) (name.Reference, error) {
			return lockedRef(c, r, c.String("platform"))
		},
	}
	for _, l := range o.Labels {
		if !strings.Contains(l, "=") {
			return o, fmt.Errorf("invalid label %q: a label is KEY=VALUE", l)
		}
	}
	switch n := c.String("network"); n {
	case "default", "":
	case "bridge", "host", "none":
		o.Network = n
	default:
		return o, fmt.Errorf("--network %s: %w: bridge, host or none", n, build.ErrUnsupported)
	}
	switch p := c.String("progress"); p {
	case "auto":
		if term.IsTerminal(int(os.Stderr.Fd())) {
			o.Progress = "tty"
			o.TermWidth, _, _ = term.GetSize(int(os.Stderr.Fd()))
		}
	case "tty":
		o.Progress = "tty"
		o.TermWidth, _, _ = term.GetSize(int(os.Stderr.Fd()))
	case "plain":
	case "quiet":
		o.Quiet = true
	default:
		return o, fmt.Errorf("invalid progress mode %q: auto, plain, tty or quiet", p)
	}
	for _, v := range c.StringSlice("secret") {
		sec, err := build.ParseSecret(v)
		if err != nil {
			return o, err
		}
		o.Secrets = append(o.Secrets, sec)
	}
	for _, v := range c.StringSlice("ssh") {
		a, err := build.ParseSSH(v)
		if err != nil {
			return o, err
		}
		o.SSH = append(o.SSH, a)
	}
	for _, t := range c.StringSlice("tag") {
		ref, err := reference.Parse(t)
		if err != nil {
			return o, fmt.Errorf("invalid argument %q for \"-t, --tag\" flag: %w", t, err)
		}
		if _, isDigest := ref.(name.Digest); isDigest {
			return o, fmt.Errorf("invalid argument %q for \"-t, --tag\" flag: a tag, not a digest", t)
		}
		o.Tags = append(o.Tags, ref)
	}
	if v := c.String("source-date-epoch"); v != "" {
		os.Setenv("SOURCE_DATE_EPOCH", v)
	}
	epoch, err := run.SourceDateEpoch()
	if err != nil {
		return o, err
	}
	o.Epoch = epoch
	return o, nil
}

func builderCommand() *cli.Command {
	return &cli.Command{Name: "builder", Usage: "manage the build cache", Subcommands: []*cli.Command{builderPruneCommand()}}
}

func builderPruneCommand() *cli.Command {
	return &cli.Command{
		Name: "prune", Usage: "remove the build cache",
		Before: noArgs,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "remove all build cache (pocket keeps no internal cache apart: the same as without)"},
			&cli.StringSliceFlag{Name: "filter", Usage: `provide filter values (e.g. "until=24h")`},
			forceFlag(),
		},
		Action: actionWith(0, builderPruneOptions, func(c *cli.Context, s *store.Store, o run.PruneOptions) error {
			warning := "WARNING! This will remove all dangling build cache."
			if c.Bool("all") {
				warning = "WARNING! This will remove all build cache."
			}
			if !confirm(c.Bool("force"), os.Stdin, os.Stdout, warning) {
				printPruned(os.Stdout, run.PruneReport{Measured: true})
				return nil
			}
			r, err := run.PruneUnused(s, o)
			fmt.Fprintf(os.Stdout, "Deleted build cache objects: %d\n", r.CacheEntries)
			printPruned(os.Stdout, run.PruneReport{Reclaimed: r.Reclaimed, Measured: true})
			return err
		}),
	}
}

// builderPruneOptions reads --filter until=DURATION|TIMESTAMP.
func builderPruneOptions(c *cli.Context) (run.PruneOptions, error) {
	o := run.PruneOptions{BuildCache: true}
	args, err := filter.Parse(c.StringSlice("filter"), "until")
	if err != nil {
		return o, err
	}
	for _, v := range args["until"] {
		if d, err := time.ParseDuration(v); err == nil {
			o.CacheUntil = time.Now().Add(-d)
			continue
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return o, errors.New("invalid filter 'until=" + v + "': a duration (24h) or an RFC 3339 time")
		}
		o.CacheUntil = t
	}
	return o, nil
}
