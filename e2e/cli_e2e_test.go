//go:build linux

package e2e

import (
	"strings"
	"testing"
)

// TestUsageErrors: a command line Docker would reject exits 125 and names
// the command as typed, with its usage.
func TestUsageErrors(t *testing.T) {
	root := newRoot(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"pull"}, "\"pocket pull\" requires at least 1 argument(s)\nUsage: pocket pull IMAGE"},
		{[]string{"image", "inspect"}, "\"pocket image inspect\" requires at least 1 argument(s)\nUsage: pocket image inspect IMAGE [IMAGE...]"},
		{[]string{"container", "rm"}, "\"pocket container rm\" requires at least 1 argument(s)"},
		{[]string{"tag", "a"}, "\"pocket tag\" requires exactly 2 arguments"},
		{[]string{"volume", "create", "a", "b"}, "\"pocket volume create\" requires at most 1 argument"},
		{[]string{"run", "--bogus", "busybox"}, "flag provided but not defined: -bogus"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := pocket(t, root, tc.args...)
			if r.Code != 125 || !strings.Contains(r.Stderr, tc.want) {
				t.Errorf("want exit 125 and %q\n%s", tc.want, r)
			}
		})
	}
}
