package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCanonicalFlags: aliases become their flag's first name in what
// urfave/cli reads as flags, and nowhere else.
func TestCanonicalFlags(t *testing.T) {
	a := app()
	for _, tc := range []struct{ args, want string }{
		{"run -e A=1 --env B=2 busybox env", "run --env A=1 --env B=2 busybox env"},
		{"run -v v:/a --volume /b -p 80 --publish 81 -l x --label y img", "run --volume v:/a --volume /b --publish 80 --publish 81 --label x --label y img"},
		{"run -it busybox sh", "run --interactive --tty busybox sh"},
		{"run -de X busybox", "run --detach --env X busybox"},
		{"run -e=A=1 busybox", "run --env=A=1 busybox"},
		// A value that looks like a flag is a value.
		{"run -e -v -w -p busybox", "run --env -v --workdir -p busybox"},
		// After the first positional argument, or --, nothing.
		{"run busybox -e x --env y", "run busybox -e x --env y"},
		{"run -- -e x", "run -- -e x"},
		// Global flags, then a subcommand's.
		{"--root /r container run -e A img", "--root /r container run --env A img"},
		{"exec -e A c sh", "exec --env A c sh"},
		// A missing value, an unknown flag, a letter group that is not one:
		// left as typed for urfave/cli's error.
		{"run -e", "run -e"},
		{"run -ei img", "run -ei img"},
		{"run --nope -e A img", "run --nope --env A img"},
	} {
		t.Run(tc.args, func(t *testing.T) {
			got := canonicalFlags(a, append([]string{"pocket"}, strings.Fields(tc.args)...))
			if diff := cmp.Diff(append([]string{"pocket"}, strings.Fields(tc.want)...), got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}
