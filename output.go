package main

// What pocket prints: Docker's tables, one JSON object a line for
// --format json, inspect's JSON arrays and prune reports. The commands
// are main.go and cmd_*.go.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	units "github.com/docker/go-units"

	"pocket/reference"
	"pocket/run"
	"pocket/store"
)

// inspectAll prints Docker-shaped JSON for each reference (an array, as
// Docker), each found by one, or each through the template format.
func inspectAll[T any](s *store.Store, refs []string, format string, one func(*store.Store, string) (T, error)) error {
	out := []any{}
	var errs []error
	for _, r := range refs {
		v, err := one(s, r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, v)
	}
	if format != "" && format != "json" {
		if err := printInspectTemplate(os.Stdout, out, format); err != nil {
			return err
		}
		return errors.Join(errs...)
	}
	b, _ := json.MarshalIndent(out, "", "    ")
	fmt.Println(string(b))
	return errors.Join(errs...)
}

// printPruned prints what a prune removed as Docker does: a section for
// each kind that has lines, then the total space reclaimed where the prune
// measured it. Every prune command prints through here.
func printPruned(w io.Writer, r run.PruneReport) {
	section := func(title string, lines []string, prefix string) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintln(w, title)
		for _, l := range lines {
			fmt.Fprintln(w, prefix+l)
		}
		fmt.Fprintln(w)
	}
	section("Deleted Containers:", r.Containers, "")
	section("Deleted Networks:", r.Networks, "")
	section("Deleted Volumes:", r.Volumes, "")
	section("Deleted Images:", r.Images, "deleted: ")
	if r.CacheEntries > 0 {
		fmt.Fprintf(w, "Deleted build cache objects: %d\n\n", r.CacheEntries)
	}
	if r.Measured {
		fmt.Fprintf(w, "Total reclaimed space: %s\n", units.HumanSize(float64(r.Reclaimed)))
	}
}

// printLoaded says what load stored as Docker does: by name, or by ID for
// an image that came without one.
func printLoaded(w io.Writer, names []string) {
	for _, n := range names {
		if strings.HasPrefix(n, "sha256:") {
			fmt.Fprintln(w, "Loaded image ID: "+n)
		} else {
			fmt.Fprintln(w, "Loaded image: "+n)
		}
	}
}

func printVolumes(w io.Writer, rows []run.VolumeSummary, quiet bool, format string) error {
	format = jsonFormat(format)
	if done, err := printListed(w, rows, quiet, format, func(r run.VolumeSummary) string { return r.Name }); done {
		return err
	}
	if !isDefaultTable(format) {
		return printTemplate(w, rows, format, volumeHeaders, func(r run.VolumeSummary) any { return r })
	}
	tw := newTableWriter(w)
	fmt.Fprintln(tw, "DRIVER\tVOLUME NAME")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\n", r.Driver, r.Name)
	}
	return tw.Flush()
}

// imageRow is one line of `pocket images`.
type imageRow struct {
	Repository string `json:"Repository"`
	Tag        string `json:"Tag"`
	Digest     string `json:"Digest"`
	ID         string `json:"ID"`
	CreatedAt  string `json:"CreatedAt"`
	Created    string `json:"CreatedSince"`
	Size       string `json:"Size"`

	fullID string // sha256:..., for --no-trunc
}

// imageRows expands the index into Docker's rows: one per name, or one
// "<none>" row for an untagged image; filter is an optional REPOSITORY[:TAG]
// and refs are --filter reference= patterns (any of them, as Docker's
// path.Match over REPOSITORY or REPOSITORY:TAG).
func imageRows(imgs []store.Image, filter string, refs []string) []imageRow {
	var rows []imageRow
	for _, img := range imgs {
		names := img.Names
		if len(names) == 0 {
			names = []string{""}
		}
		for _, n := range names {
			r := imageRow{Repository: "<none>", Tag: "<none>", Digest: "<none>", ID: img.ID.Hex[:12], fullID: img.ID.String(),
				CreatedAt: img.Created.Format("2006-01-02 15:04:05 -0700 MST"),
				Created:   units.HumanDuration(time.Since(img.Created)) + " ago",
				Size:      units.HumanSizeWithPrecision(float64(img.Size), 3)}
			if i := strings.LastIndex(n, ":"); i > 0 && !strings.Contains(n[i:], "/") {
				r.Repository, r.Tag = reference.FamiliarName(n[:i]), n[i+1:]
			}
			for _, d := range img.Digests {
				if at := strings.Index(d, "@"); at > 0 && (n == "" || strings.HasPrefix(n, d[:at]+":")) {
					r.Digest = d[at+1:]
				}
			}
			if filter != "" && r.Repository != filter && r.Repository+":"+r.Tag != filter {
				continue
			}
			if len(refs) > 0 && !slices.ContainsFunc(refs, func(p string) bool {
				ok1, _ := path.Match(p, r.Repository)
				ok2, _ := path.Match(p, r.Repository+":"+r.Tag)
				return n != "" && (ok1 || ok2)
			}) {
				continue
			}
			rows = append(rows, r)
		}
	}
	return rows
}

func printImages(w io.Writer, rows []imageRow, o listOpts, digests bool) error {
	quiet, format := o.quiet, o.format
	if o.noTrunc {
		for i := range rows {
			rows[i].ID = rows[i].fullID
		}
	}
	format = jsonFormat(format)
	if done, err := printListed(w, rows, quiet, format, func(r imageRow) string { return r.ID }); done {
		return err
	}
	if !isDefaultTable(format) {
		return printTemplate(w, rows, format, imageHeaders, func(r imageRow) any { return newImageContext(r) })
	}
	tw := newTableWriter(w)
	if digests {
		fmt.Fprintln(tw, "REPOSITORY\tTAG\tDIGEST\tIMAGE ID\tCREATED\tSIZE")
	} else {
		fmt.Fprintln(tw, "REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE")
	}
	for _, r := range rows {
		if digests {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Repository, r.Tag, r.Digest, r.ID, r.Created, r.Size)
		} else {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Repository, r.Tag, r.ID, r.Created, r.Size)
		}
	}
	return tw.Flush()
}

func printContainers(w io.Writer, rows []run.Summary, o listOpts) error {
	quiet, format := o.quiet, o.format
	id := func(r run.Summary) string {
		if o.noTrunc {
			return r.ID
		}
		return r.ID[:12]
	}
	format = jsonFormat(format)
	if done, err := printListed(w, rows, quiet, format, id); done {
		return err
	}
	if !isDefaultTable(format) {
		return printTemplate(w, rows, format, containerHeaders, func(r run.Summary) any { return newContainerContext(r, o.noTrunc) })
	}
	if o.noTrunc {
		for i := range rows {
			rows[i].Command = rows[i].FullCommand
		}
	}
	tw := newTableWriter(w)
	fmt.Fprintln(tw, "CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%q\t%s ago\t%s\t%s\t%s\n", id(r), r.Image, r.Command,
			units.HumanDuration(time.Since(r.Created)), r.Status, r.Ports, r.Name)
	}
	return tw.Flush()
}

// jsonFormat turns --format json into the template Docker runs for it,
// {{json .}} over the row's template context, so that both print the same
// keys as docker does.
func jsonFormat(format string) string {
	if strings.TrimSpace(format) == "json" {
		return "{{json .}}"
	}
	return format
}

// printListed prints what every listing does alike: -q one key a line (each
// key once: an image with several names is one ID) and --format json one
// object a line. done is false when the caller is to print its table or
// its template.
func printListed[T any](w io.Writer, rows []T, quiet bool, format string, key func(T) string) (done bool, err error) {
	switch {
	case quiet:
		seen := map[string]bool{}
		for _, r := range rows {
			if k := key(r); !seen[k] {
				seen[k] = true
				fmt.Fprintln(w, k)
			}
		}
		return true, nil
	case format == "json":
		return true, jsonLines(w, rows)
	}
	return false, nil
}

func jsonLines[T any](w io.Writer, rows []T) error {
	enc := json.NewEncoder(w)
	for _, r := range rows {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}
