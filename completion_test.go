package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The bash script completes commands, subcommands and flags from the
// tree, and names by asking pocket (here a stand-in) with the command
// line's global flags.
func TestCompletionBash(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	var script bytes.Buffer
	if err := writeCompletion(&script, "bash", app()); err != nil {
		t.Fatal(err)
	}
	scriptPath := filepath.Join(dir, "pocket.bash")
	os.WriteFile(scriptPath, script.Bytes(), 0o644)
	fake := filepath.Join(dir, "pocket")
	// The stand-in answers only when given --root /r, as the user's line does.
	os.WriteFile(fake, []byte(`#!/bin/sh
[ "$1 $2" = "--root /r" ] || exit 1
case "$3" in
ps) printf 'web\ndb\n' ;;
images) printf 'busybox:latest\n<none>:<none>\n' ;;
volume) echo vol1 ;;
esac
echo warning >&2
`), 0o755)
	for _, tc := range []struct {
		words []string
		want  string
	}{
		{[]string{"r"}, "rename restart rm rmi run runtime"},
		{[]string{"image", "i"}, "import inspect"},
		{[]string{"ps", "--f"}, "--filter --format"},
		{[]string{"system", ""}, "df prune"},
		{[]string{"rm", ""}, "web db"},
		{[]string{"stop", "-t", "3", "w"}, "web"},
		{[]string{"run", "--rm", "b"}, "busybox:latest"},
		{[]string{"inspect", ""}, "web db busybox:latest"},
		{[]string{"volume", "rm", ""}, "vol1"},
		{[]string{"network", "inspect", "h"}, "host"},
		{[]string{"completion", "z"}, "zsh"},
	} {
		words := append([]string{fake, "--root", "/r"}, tc.words...)
		cmd := exec.Command("bash", "-c", `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($#-1)); _pocket; echo "${COMPREPLY[*]}"`,
			"bash", scriptPath)
		cmd.Args = append(cmd.Args, words...)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v: %v", tc.words, err)
		}
		if got := strings.TrimSpace(string(out)); got != tc.want {
			t.Errorf("complete %q: %q, want %q", strings.Join(tc.words, " "), got, tc.want)
		}
	}
}

func TestCompletionShells(t *testing.T) {
	for _, tc := range []struct{ shell, want string }{
		{"zsh", "bashcompinit"},
		{"fish", "complete -c pocket -n 'test \"(__pocket_path)\" = \"volume rm\"' -a '(pocket volume ls -q 2>/dev/null)'"},
	} {
		var b bytes.Buffer
		if err := writeCompletion(&b, tc.shell, app()); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), tc.want) {
			t.Errorf("%s script lacks %q", tc.shell, tc.want)
		}
	}
	if err := writeCompletion(&bytes.Buffer{}, "tcsh", app()); err == nil {
		t.Error("tcsh: no error")
	}
}
