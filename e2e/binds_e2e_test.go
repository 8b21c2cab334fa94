//go:build linux

package e2e

import (
	"testing"
)

// inspect shows -v as Docker does: host binds and named volumes as typed
// in HostConfig.Binds, anonymous -v /path in Config.Volumes.
func TestInspectBindsAndVolumes(t *testing.T) {
	root := newRoot(t)
	src := t.TempDir()
	mustPocket(t, root, "create", "--name", "binds", "-v", src+":/dst:ro", "-v", "named:/n", "-v", "/anon", "busybox", "true")
	for _, tc := range []struct{ format, want string }{
		{"{{json .HostConfig.Binds}}", `["` + src + `:/dst:ro","named:/n"]` + "\n"},
		{"{{json .Config.Volumes}}", `{"/anon":{}}` + "\n"},
	} {
		if got := mustPocket(t, root, "inspect", "-f", tc.format, "binds").Stdout; got != tc.want {
			t.Errorf("%s = %q, want %q", tc.format, got, tc.want)
		}
	}
	mustPocket(t, root, "create", "--name", "plain", "busybox", "true")
	if got := mustPocket(t, root, "inspect", "-f", "{{json .HostConfig.Binds}} {{json .Config.Volumes}}", "plain").Stdout; got != "null null\n" {
		t.Errorf("without -v: %q, want null null as Docker", got)
	}
}
