package main

import (
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/urfave/cli/v2"

	"pocket/lockfile"
	"pocket/pull"
	"pocket/reference"
)

func lockCommand() *cli.Command {
	return &cli.Command{
		Name: "lock", Usage: "pin image tags to digests in " + lockfile.Name, ArgsUsage: "[IMAGE...]",
		Description: "Writes each IMAGE's digest (per platform for a multi-platform image) to the lockfile " +
			"(--file, else --lockfile/POCKET_LOCKFILE, else ./" + lockfile.Name + "). A tag already pinned is kept " +
			"unless --update; --update alone refreshes every tag the file pins. With --locked, pull and run " +
			"resolve tags through the file and refuse a tag it does not pin.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "update", Usage: "ask the registry again for tags already pinned (all of them with no IMAGE)"},
			&cli.StringFlag{Name: "file", Aliases: []string{"f"}, Usage: "lockfile to write (default: --lockfile, or ./" + lockfile.Name + ")"},
		},
		Action: failWith1(func(c *cli.Context) error {
			if !c.Bool("update") {
				if err := argsAtLeast(c, 1); err != nil {
					return err
				}
			}
			path := c.String("file")
			if path == "" {
				path = lockfilePath(c)
			}
			var tags []name.Tag
			for _, arg := range c.Args().Slice() {
				r, err := reference.Parse(arg)
				if err != nil {
					return err
				}
				t, ok := r.(name.Tag)
				if !ok {
					return fmt.Errorf("lock %s: %w: a digest is pinned already (hint: lock NAME:TAG)", arg, reference.ErrBadReference)
				}
				tags = append(tags, t)
			}
			f, err := lockfile.ReadOrNew(path)
			if err != nil {
				return err
			}
			asked, err := pull.Lock(signalContext(), f, tags, c.Bool("update"), registries(c))
			if werr := f.Write(path); werr != nil && err == nil {
				err = werr
			}
			for _, t := range asked {
				e, _ := f.Get(t)
				fmt.Printf("%s: %s\n", reference.Familiar(t), e.Digest)
			}
			return err
		}),
	}
}

// lockfilePath is the lockfile --lockfile (or POCKET_LOCKFILE) names,
// else ./pocket.lock.
func lockfilePath(c *cli.Context) string {
	if p := c.String("lockfile"); p != "" {
		return p
	}
	return lockfile.Name
}

// lockedRef resolves ref through the lockfile when --locked or
// --lockfile/POCKET_LOCKFILE asks for one: the digest it pins for
// platform, or an error naming ref when it pins none. Without a
// lockfile ref comes back as it is.
func lockedRef(c *cli.Context, ref name.Reference, platform string) (name.Reference, error) {
	if !c.Bool("locked") && c.String("lockfile") == "" {
		return ref, nil
	}
	f, err := lockfile.Read(lockfilePath(c))
	if err != nil {
		return nil, err
	}
	p, err := pull.Platform(platform)
	if err != nil {
		return nil, err
	}
	return f.Resolve(ref, p)
}
