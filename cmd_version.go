package main

import (
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/docker/cli/templates"
	"github.com/urfave/cli/v2"

	"pocket/version"
)

// versionTemplate is Docker's Client section; pocket has no server.
const versionTemplate = `{{with .Client -}}
Client:
 Version:	{{.Version}}
 Go version:	{{.GoVersion}}
 Git commit:	{{.GitCommit}}
 Built:	{{.BuildTime}}
 OS/Arch:	{{.Os}}/{{.Arch}}
{{- end}}`

// versionInfo is what a `version --format` template sees, as in Docker:
// {{.Client.Version}}, {{json .}}.
type versionInfo struct {
	Client version.Info
}

func versionCommand() *cli.Command {
	return &cli.Command{
		Name: "version", Usage: "show the pocket version information",
		Before: noArgs,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Usage: "format the output with a Go template ({{.Client.Version}}), or json"},
		},
		Action: func(c *cli.Context) error {
			return printVersion(os.Stdout, c.String("format"), versionInfo{Client: version.Get()})
		},
	}
}

// printVersion writes v through the template format (Docker's layout
// when empty, {{json .}} for "json"), with the functions of Docker's
// templates (json, join, upper, ...). A template that does not parse
// exits 64, as in Docker.
func printVersion(w io.Writer, format string, v versionInfo) error {
	switch format {
	case "":
		format = versionTemplate
	case "json":
		format = "{{json .}}"
	}
	tmpl, err := templates.New("version").Parse(format)
	if err != nil {
		return &cliError{code: 64, msg: fmt.Sprintf("template parsing error: %v", err)}
	}
	tw := tabwriter.NewWriter(w, 20, 1, 1, ' ', 0)
	err = tmpl.Execute(tw, v)
	tw.Write([]byte("\n"))
	if ferr := tw.Flush(); err == nil {
		err = ferr
	}
	return err
}

// printShortVersion is `pocket --version` (-v), as `docker --version`.
func printShortVersion(*cli.Context) {
	v := version.Get()
	fmt.Printf("pocket version %s, build %s\n", v.Version, v.GitCommit)
}
