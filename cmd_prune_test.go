package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"pocket/run"
)

// The prompt is docker's, on stdout; only y or Y confirms; no answer (an
// empty stdin, as in CI) declines; -f never asks.
func TestConfirm(t *testing.T) {
	const q = warnContainers + "\nAre you sure you want to continue? [y/N] "
	for _, tc := range []struct {
		name, in string
		force    bool
		want     bool
		prompt   string
	}{
		{name: "y", in: "y\n", want: true, prompt: q},
		{name: "Y without newline", in: "Y", want: true, prompt: q},
		{name: "yes is not y", in: "yes\n", prompt: q},
		{name: "n", in: "n\n", prompt: q},
		{name: "empty stdin", in: "", prompt: q},
		{name: "force", in: "", force: true, want: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			if got := confirm(tc.force, strings.NewReader(tc.in), &out, warnContainers); got != tc.want {
				t.Errorf("confirm = %v, want %v", got, tc.want)
			}
			if out.String() != tc.prompt {
				t.Errorf("prompt %q, want %q", out.String(), tc.prompt)
			}
		})
	}
	want := "WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n" +
		"  - all images without at least one container associated to them\n  - all build cache\n"
	if got := systemWarning(true, false); got != want {
		t.Errorf("system prune -a warning %q, want %q", got, want)
	}
}

// --filter of the prunes is parsed before the store opens, with Docker's
// errors: unknown keys, until with system prune --volumes.
func TestPruneOptions(t *testing.T) {
	for _, tc := range []struct {
		name    string
		keys    []string
		base    run.PruneOptions
		args    []string
		want    string // error
		allImgs bool
		allVols bool
		until   bool
	}{
		{name: "container until", keys: run.ContainerPruneFilterKeys, args: []string{"--filter", "until=24h"}, until: true},
		{name: "container label!", keys: run.ContainerPruneFilterKeys, args: []string{"--filter", "label!=keep"}},
		{name: "container unknown key", keys: run.ContainerPruneFilterKeys, args: []string{"--filter", "dangling=true"}, want: "invalid filter 'dangling'"},
		{name: "image dangling=false is -a", keys: run.ImagePruneFilterKeys, base: run.PruneOptions{Images: true}, args: []string{"--filter", "dangling=false"}, allImgs: true},
		{name: "image dangling=true", keys: run.ImagePruneFilterKeys, base: run.PruneOptions{Images: true}, args: []string{"--filter", "dangling=true"}},
		{name: "image bad dangling", keys: run.ImagePruneFilterKeys, args: []string{"--filter", "dangling=maybe"}, want: "invalid filter 'dangling=maybe'"},
		{name: "volume until", keys: run.VolumePruneFilterKeys, args: []string{"--filter", "until=1h"}, want: "invalid filter 'until'"},
		{name: "volume all=true is -a", keys: run.VolumePruneFilterKeys, base: run.PruneOptions{Volumes: true}, args: []string{"--filter", "all=true"}, allVols: true},
		{name: "system name", keys: run.SystemPruneFilterKeys, args: []string{"--filter", "name=x"}, want: "invalid filter 'name'"},
		{name: "system until", keys: run.SystemPruneFilterKeys, base: run.PruneOptions{Containers: true}, args: []string{"--filter", "until=1h"}, until: true},
		{name: "system --volumes until", keys: run.SystemPruneFilterKeys, base: run.PruneOptions{Containers: true, Volumes: true}, args: []string{"--filter", "until=1h"}, want: `ERROR: The "until" filter is not supported with "--volumes"`},
		{name: "bad format", keys: run.ContainerPruneFilterKeys, args: []string{"--filter", "until"}, want: "invalid argument \"until\" for \"--filter\" flag: bad format of filter (expected name=value)"},
		{name: "bad until", keys: run.SystemPruneFilterKeys, args: []string{"--filter", "until=later"}, want: `failed to parse value as time or duration: "later"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got run.PruneOptions
			var err error
			app := &cli.App{Name: "pocket", Commands: []*cli.Command{{
				Name: "prune", Flags: []cli.Flag{pruneFilterFlag(), forceFlag()},
				Action: func(c *cli.Context) error {
					got, err = pruneOptions(tc.keys, func(*cli.Context) run.PruneOptions { return tc.base })(c)
					return nil
				},
			}}}
			if e := app.Run(append([]string{"pocket", "prune"}, tc.args...)); e != nil {
				t.Fatal(e)
			}
			if tc.want != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
					t.Fatalf("error %v, want %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.AllImages != tc.allImgs || got.AllVolumes != tc.allVols || got.Filter.Until.IsZero() == tc.until {
				t.Errorf("AllImages %v AllVolumes %v until %v, want %v %v %v", got.AllImages, got.AllVolumes, got.Filter.Until, tc.allImgs, tc.allVols, tc.until)
			}
		})
	}
}

// system prune --volumes asks Docker's question with its volume line.
func TestSystemWarningVolumes(t *testing.T) {
	want := "WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n" +
		"  - all anonymous volumes not used by at least one container\n" +
		"  - all dangling images\n  - all dangling build cache\n"
	if got := systemWarning(false, true); got != want {
		t.Errorf("system prune --volumes warning %q, want %q", got, want)
	}
}
