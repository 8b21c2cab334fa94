package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	units "github.com/docker/go-units"
	"github.com/urfave/cli/v2"

	"pocket/pull"
	"pocket/store"
)

func historyCommand() *cli.Command {
	return &cli.Command{
		Name: "history", Usage: "show the history of an image", ArgsUsage: "IMAGE",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Usage: `"json": one JSON object a line`},
			&cli.BoolFlag{Name: "human", Aliases: []string{"H"}, Value: true, Usage: "print sizes and dates in human readable format"},
			&cli.BoolFlag{Name: "no-trunc", Usage: "don't truncate output"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "only show image IDs"},
		},
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			if err := argsExactly(c, 1); err != nil {
				return err
			}
			h, err := pull.History(s, c.Args().First())
			if err != nil {
				return err
			}
			rows := historyRows(h, c.Bool("human"), c.Bool("no-trunc"), time.Now())
			return printHistory(c.App.Writer, rows, c.Bool("quiet"), c.String("format"))
		}),
	}
}

// historyRow is one line of `docker history`; its JSON is Docker's
// --format json.
type historyRow struct {
	Comment      string `json:"Comment"`
	CreatedAt    string `json:"CreatedAt"`
	CreatedBy    string `json:"CreatedBy"`
	CreatedSince string `json:"CreatedSince"`
	ID           string `json:"ID"`
	Size         string `json:"Size"`
}

// historyRows formats history as the Docker CLI does: short IDs, the
// command cut to 45 characters with "…" unless noTrunc, human or exact
// dates and sizes.
func historyRows(h []pull.HistoryEntry, human, noTrunc bool, now time.Time) []historyRow {
	rows := make([]historyRow, 0, len(h))
	for _, e := range h {
		r := historyRow{Comment: e.Comment, ID: e.ID, CreatedAt: e.Created.Format(time.RFC3339)}
		r.CreatedBy = strings.ReplaceAll(e.CreatedBy, "\t", " ")
		if !noTrunc {
			if hex, ok := strings.CutPrefix(r.ID, "sha256:"); ok {
				r.ID = hex[:12]
			}
			if runes := []rune(r.CreatedBy); len(runes) > 45 {
				r.CreatedBy = string(runes[:44]) + "…"
			}
		}
		if human {
			r.CreatedSince = units.HumanDuration(now.Sub(e.Created)) + " ago"
			r.Size = units.HumanSizeWithPrecision(float64(e.Size), 3)
		} else {
			r.CreatedSince = r.CreatedAt
			r.Size = strconv.FormatInt(e.Size, 10)
		}
		rows = append(rows, r)
	}
	return rows
}

func printHistory(w io.Writer, rows []historyRow, quiet bool, format string) error {
	if quiet {
		for _, r := range rows {
			fmt.Fprintln(w, r.ID)
		}
		return nil
	}
	if done, err := printListed(w, rows, false, format, func(r historyRow) string { return r.ID }); done {
		return err
	}
	tw := newTableWriter(w)
	fmt.Fprintln(tw, "IMAGE\tCREATED\tCREATED BY\tSIZE\tCOMMENT")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.CreatedSince, r.CreatedBy, r.Size, r.Comment)
	}
	return tw.Flush()
}
