package main

import (
	"bytes"
	"strings"
	"testing"
)

// The prompt is docker's, on stdout; only y or Y confirms; no answer (an
// empty stdin, as in CI) declines; -f never asks.
func TestConfirm(t *testing.T) {
	const q = warnContainers + "\nAre you sure you want to continue? [y/N] "
	for _, tc := range []struct {
		name, in string
		force    bool
		want     bool
		prompt   string
	}{
		{name: "y", in: "y\n", want: true, prompt: q},
		{name: "Y without newline", in: "Y", want: true, prompt: q},
		{name: "yes is not y", in: "yes\n", prompt: q},
		{name: "n", in: "n\n", prompt: q},
		{name: "empty stdin", in: "", prompt: q},
		{name: "force", in: "", force: true, want: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			if got := confirm(tc.force, strings.NewReader(tc.in), &out, warnContainers); got != tc.want {
				t.Errorf("confirm = %v, want %v", got, tc.want)
			}
			if out.String() != tc.prompt {
				t.Errorf("prompt %q, want %q", out.String(), tc.prompt)
			}
		})
	}
	want := "WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n" +
		"  - all images without at least one container associated to them\n  - all build cache\n"
	if got := systemWarning(true); got != want {
		t.Errorf("system prune -a warning %q, want %q", got, want)
	}
}
