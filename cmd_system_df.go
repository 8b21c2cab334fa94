package main

// system df: the store's space by kind, as docker system df.

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	units "github.com/docker/go-units"
	"github.com/urfave/cli/v2"

	"pocket/run"
	"pocket/store"
)

func systemDfCommand() *cli.Command {
	return &cli.Command{
		Name: "df", Usage: "show the space images, containers, volumes and build cache use",
		Before: noArgs,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "show each image, container, volume and cache entry"},
			&cli.StringFlag{Name: "format", Usage: "a Go template (\"table {{.Type}}\\t{{.Size}}\", \"{{json .}}\"), or json"},
		},
		Action: action(0, func(c *cli.Context, s *store.Store) error {
			du, err := run.Usage(s)
			if err != nil {
				return err
			}
			if c.Bool("verbose") && isDefaultTable(c.String("format")) {
				return printDiskUsageVerbose(os.Stdout, du)
			}
			return printDiskUsage(os.Stdout, du, c.String("format"))
		}),
	}
}

// dfRow is one line of system df's summary, docker/cli's
// diskUsage*Context: fields in the alphabetical order of its JSON keys.
type dfRow struct {
	Active      string
	Reclaimable string
	Size        string
	TotalCount  string
	Type        string
}

var dfHeaders = map[string]string{"Type": "TYPE", "TotalCount": "TOTAL", "Active": "ACTIVE", "Size": "SIZE", "Reclaimable": "RECLAIMABLE"}

const dfTable = "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}"

// reclaimable is Docker's "SIZE (PERCENT%)", the percentage of total,
// left out when total is 0.
func reclaimable(n, total int64) string {
	if total > 0 {
		return fmt.Sprintf("%s (%d%%)", units.HumanSize(float64(n)), n*100/total)
	}
	return units.HumanSize(float64(n))
}

// dfRows computes the four rows as docker/cli does: an image is active
// when a container uses it and reclaimable but for its unique part; a
// container is active while running or paused, its writable layer
// reclaimable otherwise; a volume is active while a container uses it.
func dfRows(du *run.DiskUsage) []dfRow {
	var imgActive, used int64
	for _, i := range du.Images {
		if i.Containers > 0 {
			imgActive++
			used += i.Size - i.SharedSize
		}
	}
	var ctrActive, ctrSize, ctrFree int64
	for _, c := range du.Containers {
		ctrSize += c.SizeRw
		if c.State == "running" || c.State == "paused" || c.State == "restarting" {
			ctrActive++
		} else {
			ctrFree += c.SizeRw
		}
	}
	var volActive, volSize, volFree int64
	for _, v := range du.Volumes {
		volSize += v.Size
		if v.Links > 0 {
			volActive++
		} else {
			volFree += v.Size
		}
	}
	var bcActive, bcSize, bcFree int64
	for _, b := range du.BuildCache {
		bcSize += b.Size
		if b.InUse {
			bcActive++
		} else if !b.Shared {
			bcFree += b.Size
		}
	}
	itoa := func(n int) string { return strconv.Itoa(n) }
	return []dfRow{
		{Type: "Images", TotalCount: itoa(len(du.Images)), Active: fmt.Sprint(imgActive),
			Size: units.HumanSize(float64(du.LayersSize)), Reclaimable: reclaimable(du.LayersSize-used, du.LayersSize)},
		{Type: "Containers", TotalCount: itoa(len(du.Containers)), Active: fmt.Sprint(ctrActive),
			Size: units.HumanSize(float64(ctrSize)), Reclaimable: reclaimable(ctrFree, ctrSize)},
		{Type: "Local Volumes", TotalCount: itoa(len(du.Volumes)), Active: fmt.Sprint(volActive),
			Size: units.HumanSize(float64(volSize)), Reclaimable: reclaimable(volFree, volSize)},
		{Type: "Build Cache", TotalCount: itoa(len(du.BuildCache)), Active: fmt.Sprint(bcActive),
			Size: units.HumanSize(float64(bcSize)), Reclaimable: units.HumanSize(float64(bcFree))},
	}
}

func printDiskUsage(w io.Writer, du *run.DiskUsage, format string) error {
	format = jsonFormat(format)
	if isDefaultTable(format) {
		format = dfTable
	}
	return printTemplate(w, dfRows(du), format, dfHeaders, func(r dfRow) any { return r })
}

// printDiskUsageVerbose is system df -v: a table per kind, with docker's
// titles and columns.
func printDiskUsageVerbose(w io.Writer, du *run.DiskUsage) error {
	fmt.Fprint(w, "Images space usage:\n\n")
	type imgRow struct {
		Repository, Tag, ID, CreatedSince, Size, SharedSize, UniqueSize, Containers string
	}
	var imgs []imgRow
	for _, i := range du.Images {
		for _, r := range imageRows([]store.Image{i.Image}, "", nil) {
			imgs = append(imgs, imgRow{Repository: r.Repository, Tag: r.Tag, ID: r.ID, CreatedSince: r.Created,
				Size:       units.HumanSizeWithPrecision(float64(i.Size), 3),
				SharedSize: units.HumanSizeWithPrecision(float64(i.SharedSize), 3),
				UniqueSize: units.HumanSizeWithPrecision(float64(i.Size-i.SharedSize), 3),
				Containers: strconv.Itoa(i.Containers)})
		}
	}
	if err := printTemplate(w, imgs, "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}",
		imageHeaders, func(r imgRow) any { return r }); err != nil {
		return err
	}
	fmt.Fprint(w, "\nContainers space usage:\n\n")
	if err := printTemplate(w, du.Containers, "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}",
		containerHeaders, func(r run.Summary) any { return newContainerContext(r, false) }); err != nil {
		return err
	}
	fmt.Fprint(w, "\nLocal Volumes space usage:\n\n")
	type volRow struct{ Name, Links, Size string }
	var vols []volRow
	for _, v := range du.Volumes {
		vols = append(vols, volRow{Name: v.Name, Links: strconv.Itoa(v.Links), Size: units.HumanSizeWithPrecision(float64(v.Size), 3)})
	}
	if err := printTemplate(w, vols, "table {{.Name}}\t{{.Links}}\t{{.Size}}", volumeHeaders, func(r volRow) any { return r }); err != nil {
		return err
	}
	var total int64
	type bcRow struct{ ID, CacheType, Size, CreatedSince, LastUsedSince, UsageCount, Shared string }
	var bcs []bcRow
	for _, b := range du.BuildCache {
		total += b.Size
		since := func(t time.Time) string { return units.HumanDuration(time.Since(t)) + " ago" }
		bcs = append(bcs, bcRow{ID: b.ID, CacheType: b.Type, Size: units.HumanSizeWithPrecision(float64(b.Size), 3),
			CreatedSince: since(b.Created), LastUsedSince: since(b.LastUsed), UsageCount: strconv.Itoa(b.UsageCount),
			Shared: strconv.FormatBool(b.Shared)})
	}
	fmt.Fprintf(w, "\nBuild cache usage: %s\n\n", units.HumanSize(float64(total)))
	return printTemplate(w, bcs, "table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}",
		map[string]string{"ID": "CACHE ID", "CacheType": "CACHE TYPE", "Size": "SIZE", "CreatedSince": "CREATED",
			"LastUsedSince": "LAST USED", "UsageCount": "USAGE", "Shared": "SHARED"}, func(r bcRow) any { return r })
}
