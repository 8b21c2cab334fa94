package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"pocket/version"
)

func TestPrintVersion(t *testing.T) {
	v := versionInfo{Client: version.Info{
		Version: "v1.2.3", GitCommit: "abc1234", GoVersion: "go1.26.8",
		Os: "linux", Arch: "arm64", BuildTime: "Tue Dec  1 22:40:21 2026",
	}}
	const jsonLine = `{"Client":{"Version":"v1.2.3","GitCommit":"abc1234","GoVersion":"go1.26.8","Os":"linux","Arch":"arm64","BuildTime":"Tue Dec  1 22:40:21 2026"}}` + "\n"
	for _, tc := range []struct {
		name, format, want string
		code               int // of a *cliError; -1 for another error
	}{
		{name: "Docker's layout", want: "Client:\n" +
			" Version:           v1.2.3\n" +
			" Go version:        go1.26.8\n" +
			" Git commit:        abc1234\n" +
			" Built:             Tue Dec  1 22:40:21 2026\n" +
			" OS/Arch:           linux/arm64\n"},
		{name: "field", format: "{{.Client.Version}}", want: "v1.2.3\n"},
		{name: "json function", format: "{{json .}}", want: jsonLine},
		{name: "json", format: "json", want: jsonLine},
		{name: "json of a part", format: "{{json .Client.Os}}", want: `"linux"` + "\n"},
		{name: "Docker's functions", format: "{{upper .Client.Arch}} {{join (split .Client.BuildTime \" \") \",\"}}", want: "ARM64 Tue,Dec,,1,22:40:21,2026\n"},
		{name: "does not parse", format: "{{.Client", code: 64},
		{name: "no such field", format: "{{.Server.Version}}", code: -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := printVersion(&out, tc.format, v)
			var ce *cliError
			switch {
			case tc.code == 0 && err != nil:
				t.Fatalf("printVersion: %v", err)
			case tc.code == -1 && (err == nil || errors.As(err, &ce)):
				t.Fatalf("printVersion: %v, want a template error", err)
			case tc.code > 0 && (!errors.As(err, &ce) || ce.code != tc.code):
				t.Fatalf("printVersion: %v, want status %d", err, tc.code)
			}
			if tc.code != 0 {
				return
			}
			if diff := cmp.Diff(tc.want, out.String()); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCommandName(t *testing.T) {
	for args, want := range map[string]string{
		"doctor":                       "doctor",
		"--root /x doctor":             "doctor",
		"--root=/x --locked doctor":    "doctor",
		"--log-level debug run doctor": "run",
		"--registry-mirror doctor run": "run",
		"--lockfile f --debug":         "",
		"-- doctor":                    "",
	} {
		if got := commandName(strings.Fields(args)); got != want {
			t.Errorf("commandName(%s) = %q, want %q", args, got, want)
		}
	}
}
