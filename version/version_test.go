package version

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestResolve(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	host := func(v, commit, built string) Info {
		return Info{Version: v, GitCommit: commit, BuildTime: built, GoVersion: runtime.Version(), Os: runtime.GOOS, Arch: runtime.GOARCH}
	}
	for _, tc := range []struct {
		name    string
		stamped Info
		bi      *debug.BuildInfo
		want    Info
	}{
		{
			name:    "stamped by the Makefile wins",
			stamped: Info{Version: "v1.2.3", GitCommit: "abc1234", BuildTime: "2026-12-01T22:40:21Z"},
			bi:      &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-x"}, Settings: vcs("5b5b1c0d9e8f7a6b", "false")},
			want:    host("v1.2.3", "abc1234", "Tue Dec  1 22:40:21 2026"),
		},
		{
			name: "plain go build in a checkout",
			bi:   &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261201224021-5b5b1c0d9e8f+dirty"}, Settings: vcs("5b5b1c0d9e8f7a6b", "true")},
			want: host("v0.0.0-20261201224021-5b5b1c0d9e8f+dirty", "5b5b1c0-dirty", "unknown-buildtime"),
		},
		{
			name: "clean tree",
			bi:   &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("5b5b1c0d9e8f7a6b", "false")},
			want: host("unknown-version", "5b5b1c0", "unknown-buildtime"),
		},
		{
			name: "no build information",
			want: host("unknown-version", "unknown-commit", "unknown-buildtime"),
		},
		{
			name:    "a build time that is no RFC 3339 is kept",
			stamped: Info{BuildTime: "yesterday"},
			bi:      &debug.BuildInfo{},
			want:    host("unknown-version", "unknown-commit", "yesterday"),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, resolve(tc.stamped, tc.bi)); diff != "" {
				t.Errorf("resolve (-want +got):\n%s", diff)
			}
		})
	}
}
