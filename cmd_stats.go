package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	units "github.com/docker/go-units"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"pocket/run"
	"pocket/store"
)

func statsCommand() *cli.Command {
	return &cli.Command{
		Name: "stats", Usage: "display a live stream of container(s) resource usage statistics", ArgsUsage: "[CONTAINER...]",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "show all containers (default shows just running)"},
			&cli.BoolFlag{Name: "no-stream", Usage: "disable streaming stats and only pull the first result"},
			&cli.BoolFlag{Name: "no-trunc", Usage: "do not truncate output"},
			&cli.StringFlag{Name: "format", Usage: "a Go template (\"table {{.Name}}\\t{{.CPUPerc}}\"), or json for one JSON object a line"},
		},
		Action: action(0, func(c *cli.Context, s *store.Store) error {
			r := run.NewStatsReader(s, c.Args().Slice(), c.Bool("all"))
			o := statsOpts{noStream: c.Bool("no-stream"), noTrunc: c.Bool("no-trunc"), format: c.String("format"),
				tty: term.IsTerminal(int(os.Stdout.Fd()))}
			return streamStats(os.Stdout, r, o)
		}),
	}
}

type statsOpts struct {
	noStream, noTrunc, tty bool
	format                 string
}

// statsInterval is how often the view is redrawn, and what CPU % is an
// average over (Docker's daemon samples every second).
const statsInterval = time.Second

// streamStats prints the stats table once a second: redrawn in place on a
// terminal, one table after another otherwise, as Docker's CLI. With
// --no-stream it prints one table; the first sample only primes CPU %,
// so it is taken a second before, as Docker's daemon does for a
// one-shot request.
func streamStats(w io.Writer, r *run.StatsReader, o statsOpts) error {
	rows, err := r.Read()
	if err != nil {
		return err
	}
	for {
		if len(rows) > 0 || !o.noStream {
			time.Sleep(statsInterval)
			if rows, err = r.Read(); err != nil {
				return err
			}
		}
		var buf bytes.Buffer
		if err := printStats(&buf, rows, o); err != nil {
			return err
		}
		if o.tty && !o.noStream {
			// Home, clear to the end, then the table: no flicker.
			io.WriteString(w, "\033[H\033[J")
		}
		if _, err := buf.WriteTo(w); err != nil {
			return err
		}
		if o.noStream {
			return nil
		}
	}
}

// statsFormat is Docker's default stats table.
const statsFormat = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}"

func printStats(w io.Writer, rows []run.Stats, o statsOpts) error {
	ctxs := make([]statsContext, len(rows))
	for i, r := range rows {
		ctxs[i] = newStatsContext(r, o.noTrunc)
	}
	format := o.format
	if isDefaultTable(format) {
		format = statsFormat
	}
	if strings.TrimSpace(format) == "json" {
		return jsonLines(w, ctxs)
	}
	return printTemplate(w, ctxs, format, statsHeaders, func(c statsContext) any { return c })
}

// statsContext is a stats row for a template, with docker/cli's field
// names (cli/command/container/formatter_stats.go).
type statsContext struct {
	BlockIO   string
	CPUPerc   string
	Container string
	ID        string
	MemPerc   string
	MemUsage  string
	Name      string
	NetIO     string
	PIDs      string
}

var statsHeaders = map[string]string{
	"Container": "CONTAINER", "Name": "NAME", "ID": "CONTAINER ID", "CPUPerc": "CPU %",
	"MemUsage": "MEM USAGE / LIMIT", "MemPerc": "MEM %", "NetIO": "NET I/O", "BlockIO": "BLOCK I/O", "PIDs": "PIDS",
}

func newStatsContext(r run.Stats, noTrunc bool) statsContext {
	id := r.ID
	if !noTrunc && len(id) > 12 {
		id = id[:12]
	}
	dec := func(n uint64) string { return units.HumanSizeWithPrecision(float64(n), 3) }
	return statsContext{
		BlockIO:   dec(r.BlockRead) + " / " + dec(r.BlockWrite),
		CPUPerc:   fmt.Sprintf("%.2f%%", r.CPUPercent),
		Container: r.Container,
		ID:        id,
		MemPerc:   fmt.Sprintf("%.2f%%", r.MemPercent),
		MemUsage:  units.BytesSize(float64(r.Memory)) + " / " + units.BytesSize(float64(r.MemLimit)),
		Name:      r.Name,
		NetIO:     dec(r.NetRx) + " / " + dec(r.NetTx),
		PIDs:      fmt.Sprintf("%d", r.Pids),
	}
}
