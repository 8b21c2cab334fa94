package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"pocket/doctor"
	"pocket/privilege"
)

func doctorCommand() *cli.Command {
	return &cli.Command{
		Name: "doctor", Usage: "check the host for what pocket needs, and say how to fix what is missing",
		Description: "Prints one line per check: ok, warn (pocket works with less) or fail (run cannot work), " +
			"each problem with the command that fixes it. Exits 1 when a check fails. It changes nothing.",
		Flags: []cli.Flag{&cli.StringFlag{Name: "format", Usage: `"json": one JSON array of {check, status, message, fix}`}},
		Action: func(c *cli.Context) error {
			if err := argsAtMost(c, 0); err != nil {
				return err
			}
			if f := c.String("format"); f != "" && f != "json" {
				return fmt.Errorf("--format %q: want json (or nothing for the table)", f)
			}
			regs := append(c.StringSlice("registry-mirror"), "docker.io")
			h := doctor.Gather(signalContext(), doctor.Options{Rootless: privilege.Rootless(), Store: c.String("root"), Registries: regs})
			rs := doctor.Run(h)
			if err := printDoctor(c.App.Writer, rs, c.String("format")); err != nil {
				return err
			}
			if doctor.Failed(rs) {
				return exitCode(1)
			}
			return nil
		},
	}
}

// printDoctor writes the results as a table (a fix line under each
// problem) or as JSON.
func printDoctor(w io.Writer, rs []doctor.Result, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rs)
	}
	for _, r := range rs {
		fmt.Fprintf(w, "%-4s  %-15s %s\n", r.Status, r.Check, r.Message)
		if r.Fix != "" {
			fmt.Fprintf(w, "      %-15s fix: %s\n", "", r.Fix)
		}
	}
	return nil
}
