package main

import (
	"errors"
	"os"
	"testing"

	"github.com/urfave/cli/v2"

	"pocket/run"
)

// quiet sends what status prints to /dev/null for the test.
func quiet(t *testing.T) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	stderr, stdout := os.Stderr, os.Stdout
	os.Stderr, os.Stdout = null, null
	t.Cleanup(func() { os.Stderr, os.Stdout = stderr, stdout; null.Close() })
}

// Docker's exit statuses (cmd/docker/docker.go getExitCode): 1 for any
// failure, but the status an error carries: run's own failures 125, a
// command it cannot execute 126 or find 127, a container's own status.
func TestStatus(t *testing.T) {
	quiet(t)
	boom := errors.New("boom")
	fails := func(err error) cli.ActionFunc { return func(*cli.Context) error { return err } }
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"success", nil, 0},
		{"a command fails", boom, 1},
		{"wrapped", errors.Join(boom, errors.New("again")), 1},
		{"a container's status", exitCode(3), 3},
		{"refused command line", &cliError{code: 125, msg: "unknown flag: --x"}, 125},
		{"not executable", &run.ExitError{Code: 126, Err: boom}, 126},
		{"run fails", startsContainer(fails(boom))(nil), 125},
		{"run's container exits", startsContainer(fails(exitCode(7)))(nil), 7},
		{"run's command not found", startsContainer(fails(&run.ExitError{Code: 127, Err: boom}))(nil), 127},
		{"run's argument count", startsContainer(fails(&cliError{code: 1, msg: "requires"}))(nil), 1},
		{"run succeeds", startsContainer(fails(nil))(nil), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := status(tc.err); got != tc.want {
				t.Errorf("status(%v) = %d, want %d", tc.err, got, tc.want)
			}
		})
	}
}

// Command lines refused before anything is opened, through the real app.
func TestUsageStatus(t *testing.T) {
	quiet(t)
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"ps", "--bogus"}, 125},
		{[]string{"--bogus"}, 125},
		{[]string{"run", "--bogus", "x"}, 125},
		{[]string{"image", "ls", "-z"}, 125},
		{[]string{"bogus"}, 1},
		{[]string{"image", "bogus"}, 1},
		{[]string{"help", "bogus"}, 1},
		{[]string{"pull"}, 1},
		{[]string{"run"}, 1},
		{[]string{"version", "x"}, 1},
		{[]string{"help", "pull"}, 0},
		{[]string{"ps", "-h"}, 0},
		{[]string{"--version"}, 0},
	} {
		args := append([]string{"pocket", "--root", t.TempDir()}, tc.args...)
		if got := status(app().Run(args)); got != tc.want {
			t.Errorf("%q: status %d, want %d", tc.args, got, tc.want)
		}
	}
}

func TestFlagWords(t *testing.T) {
	run := &cli.Command{Name: "run", Flags: []cli.Flag{
		&cli.Uint64Flag{Name: "cpu-shares", Aliases: []string{"c"}},
		&cli.BoolFlag{Name: "rm"},
	}}
	for _, tc := range []struct{ in, want string }{
		{"flag provided but not defined: -bogus", "unknown flag: --bogus"},
		{"flag provided but not defined: -z", "unknown shorthand flag: 'z' in -z"},
		{"flag needs an argument: -format", "flag needs an argument: --format"},
		{"flag needs an argument: -h", "flag needs an argument: 'h' in -h"},
		{`invalid value "x" for flag -cpu-shares: parse error`, `invalid argument "x" for "-c, --cpu-shares" flag: parse error`},
		{`invalid value "x" for flag -c: parse error`, `invalid argument "x" for "-c, --cpu-shares" flag: parse error`},
		{`invalid boolean value "x" for -rm: parse error`, `invalid argument "x" for "--rm" flag: parse error`},
		{"something else", "something else"},
	} {
		if got := flagWords(run, errors.New(tc.in)); got != tc.want {
			t.Errorf("flagWords(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
