package main

// --format as Docker's formatter reads it: "table" and a template prints
// column headers through a tab writer, any other template prints a line
// a row, with docker/cli's template functions (json, join, upper,
// truncate, ...). Headers come from executing the same template over the
// column names, as Docker does, so {{.ID}} heads "CONTAINER ID".

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/docker/cli/cli/config"
	"github.com/docker/cli/templates"
)

// templateFormat splits a --format into its template and whether it is a
// table, with Docker's `\t` and `\n` escapes turned into characters.
func templateFormat(format string) (tmpl string, table bool) {
	tmpl, table = strings.CutPrefix(format, "table")
	tmpl = strings.Trim(tmpl, " ")
	return strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace(tmpl), table
}

// isDefaultTable is true for the formats that print pocket's usual table:
// none, or a bare "table".
func isDefaultTable(format string) bool {
	return strings.TrimSpace(format) == "" || strings.TrimSpace(format) == "table"
}

// printTemplate writes each row's context through the template format.
// headers names each field's column, for a table.
func printTemplate[T any](w io.Writer, rows []T, format string, headers map[string]string, ctx func(T) any) error {
	text, table := templateFormat(format)
	tmpl, err := templates.Parse(text)
	if err != nil {
		return fmt.Errorf("template parsing error: %w", err)
	}
	var buf bytes.Buffer
	for _, r := range rows {
		if err := tmpl.Execute(&buf, ctx(r)); err != nil {
			return err
		}
		buf.WriteByte('\n')
	}
	if !table {
		_, err := buf.WriteTo(w)
		return err
	}
	tw := newTableWriter(w)
	if err := tmpl.Funcs(templates.HeaderFunctions).Execute(tw, headers); err != nil {
		return err
	}
	tw.Write([]byte{'\n'})
	buf.WriteTo(tw)
	return tw.Flush()
}

// printInspectTemplate is inspect -f: the template over each object as
// its JSON reads (numbers kept as written), a line each, as Docker's
// raw-JSON fallback does; so {{.State.Running}} and {{.Config.Env}} work.
func printInspectTemplate(w io.Writer, objs []any, format string) error {
	text, _ := templateFormat(format)
	tmpl, err := templates.Parse(text)
	if err != nil {
		return fmt.Errorf("template parsing error: %w", err)
	}
	for _, o := range objs {
		b, err := json.Marshal(o)
		if err != nil {
			return err
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var m any
		if err := dec.Decode(&m); err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := tmpl.Execute(&buf, m); err != nil {
			return err
		}
		buf.WriteByte('\n')
		if _, err := buf.WriteTo(w); err != nil {
			return err
		}
	}
	return nil
}

// configFormat is the psFormat or imagesFormat of Docker's config file
// (~/.docker/config.json or $DOCKER_CONFIG), used when --format is not
// given, as docker ps and docker images do.
func configFormat(flag string, pick func(ps, images string) string) string {
	if flag != "" {
		return flag
	}
	cf, err := config.Load(config.Dir())
	if err != nil || cf == nil {
		return ""
	}
	return pick(cf.PsFormat, cf.ImagesFormat)
}

// newTableWriter aligns a table as docker/cli's formatter does: columns
// at least 10 wide, 3 spaces apart ("TAG       " for a short tag).
func newTableWriter(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 10, 1, 3, ' ', 0)
}
