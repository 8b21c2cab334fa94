package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"pocket/filter"
)

// filterFlag is Docker's -f, --filter of the listings.
func filterFlag() cli.Flag {
	return &cli.StringSliceFlag{Name: "filter", Aliases: []string{"f"}, Usage: "filter output based on conditions provided (KEY=VALUE)"}
}

// filtersOf parses --filter with the keys a listing knows, before the
// store is opened: a value without "=" is a bad flag (125, as Docker's
// CLI refuses it), an unknown key the daemon's "invalid filter" (1).
func filtersOf(keys []string) func(*cli.Context) (filter.Args, error) {
	return func(c *cli.Context) (filter.Args, error) {
		f, err := filter.Parse(c.StringSlice("filter"), keys...)
		if errors.Is(err, filter.ErrBadFormat) {
			// The prunes' --filter has no -f: that is their --force.
			name := "-f, --filter"
			if c.Command != nil && slices.ContainsFunc(c.Command.Flags, func(f cli.Flag) bool { return slices.Contains(f.Names(), "force") }) {
				name = "--filter"
			}
			for _, a := range c.StringSlice("filter") {
				if !strings.Contains(a, "=") {
					return nil, flagError(c, fmt.Errorf("invalid argument %q for \"%s\" flag: %w", a, name, filter.ErrBadFormat), false)
				}
			}
		}
		if errors.Is(err, filter.ErrInvalidKey) {
			for _, a := range c.StringSlice("filter") {
				k, _, _ := strings.Cut(a, "=")
				if hint, ok := unsupportedFilters[strings.ToLower(strings.TrimSpace(k))]; ok {
					return nil, fmt.Errorf("%w (hint: %s)", err, hint)
				}
			}
		}
		return f, err
	}
}

// unsupportedFilters are keys Docker knows that pocket cannot answer yet:
// refused as Docker refuses unknown keys, with the reason.
var unsupportedFilters = map[string]string{
	"publish":   "pocket cannot filter by published port yet",
	"expose":    "pocket cannot filter by exposed port yet",
	"is-task":   "pocket has no swarm",
	"isolation": "pocket has no isolation modes",
}
