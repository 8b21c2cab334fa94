package run

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestParseChanges(t *testing.T) {
	tests := []struct {
		in   string
		want Change
		err  bool
	}{
		{in: `CMD ["echo","hi"]`, want: Change{"CMD", []string{"echo", "hi"}}},
		{in: `cmd echo hi`, want: Change{"CMD", []string{"/bin/sh", "-c", "echo hi"}}},
		{in: `ENTRYPOINT ["/bin/app"]`, want: Change{"ENTRYPOINT", []string{"/bin/app"}}},
		{in: `ENV A=1 B="two words" C=a\ b`, want: Change{"ENV", []string{"A", "1", "B", "two words", "C", "a b"}}},
		{in: `ENV LEGACY some value`, want: Change{"ENV", []string{"LEGACY", "some value"}}},
		{in: `LABEL "com.x"='y z'`, want: Change{"LABEL", []string{"com.x", "y z"}}},
		{in: `EXPOSE 80 53/udp`, want: Change{"EXPOSE", []string{"80", "53/udp"}}},
		{in: `VOLUME ["/a", "/b"]`, want: Change{"VOLUME", []string{"/a", "/b"}}},
		{in: `VOLUME /a /b`, want: Change{"VOLUME", []string{"/a", "/b"}}},
		{in: `USER nobody`, want: Change{"USER", []string{"nobody"}}},
		{in: `WORKDIR /srv`, want: Change{"WORKDIR", []string{"/srv"}}},
		{in: `FROM busybox`, err: true},
		{in: `RUN true`, err: true},
		{in: `ENV`, err: true},
		{in: `LABEL novalue`, err: true},
		{in: `ENV A="unterminated`, err: true},
		{in: `USER`, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseChanges([]string{tt.in})
			if tt.err {
				if !errors.Is(err, ErrBadChange) {
					t.Fatalf("err = %v, want ErrBadChange", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff([]Change{tt.want}, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestApplyChanges(t *testing.T) {
	changes, err := ParseChanges([]string{
		`ENV PATH=/bin`, `ENV NEW=1`, `EXPOSE 80`, `LABEL a=b`, `WORKDIR sub`, `ENTRYPOINT ["/e"]`, `USER 1000`, `VOLUME /data`,
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg := v1.Config{Env: []string{"PATH=/usr/bin"}, WorkingDir: "/srv", Cmd: []string{"old"}}
	if err := applyChanges(&cfg, changes); err != nil {
		t.Fatal(err)
	}
	want := v1.Config{
		Env: []string{"PATH=/bin", "NEW=1"}, ExposedPorts: map[string]struct{}{"80/tcp": {}},
		Labels: map[string]string{"a": "b"}, WorkingDir: "/srv/sub", Entrypoint: []string{"/e"},
		User: "1000", Volumes: map[string]struct{}{"/data": {}},
	}
	if d := cmp.Diff(want, cfg); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
