package run

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func str(s string) *string { return &s }

func TestCommand(t *testing.T) {
	tests := []struct {
		name           string
		image          v1.Config
		entrypoint     *string
		args           []string
		wantEp, wantCm []string
		wantArgv       []string
		wantErr        error
	}{
		{name: "image cmd", image: v1.Config{Cmd: []string{"sh"}},
			wantCm: []string{"sh"}, wantArgv: []string{"sh"}},
		{name: "args replace cmd", image: v1.Config{Cmd: []string{"sh"}}, args: []string{"echo", "hi"},
			wantCm: []string{"echo", "hi"}, wantArgv: []string{"echo", "hi"}},
		{name: "entrypoint and cmd", image: v1.Config{Entrypoint: []string{"/ep", "-x"}, Cmd: []string{"a"}},
			wantEp: []string{"/ep", "-x"}, wantCm: []string{"a"}, wantArgv: []string{"/ep", "-x", "a"}},
		{name: "args after image entrypoint", image: v1.Config{Entrypoint: []string{"/ep"}, Cmd: []string{"a"}}, args: []string{"b"},
			wantEp: []string{"/ep"}, wantCm: []string{"b"}, wantArgv: []string{"/ep", "b"}},
		{name: "--entrypoint drops image cmd", image: v1.Config{Entrypoint: []string{"/ep"}, Cmd: []string{"a"}}, entrypoint: str("/bin/echo"),
			wantEp: []string{"/bin/echo"}, wantArgv: []string{"/bin/echo"}},
		{name: "--entrypoint with args", image: v1.Config{Cmd: []string{"a"}}, entrypoint: str("/bin/echo"), args: []string{"x", "y"},
			wantEp: []string{"/bin/echo"}, wantCm: []string{"x", "y"}, wantArgv: []string{"/bin/echo", "x", "y"}},
		{name: "empty --entrypoint clears it", image: v1.Config{Entrypoint: []string{"/ep"}}, entrypoint: str(""), args: []string{"ls"},
			wantCm: []string{"ls"}, wantArgv: []string{"ls"}},
		{name: "empty --entrypoint and no args", image: v1.Config{Entrypoint: []string{"/ep"}, Cmd: []string{"a"}}, entrypoint: str(""),
			wantErr: ErrNoCommand},
		{name: "nothing at all", wantErr: ErrNoCommand},
		{name: "entrypoint only", image: v1.Config{Entrypoint: []string{"/ep"}},
			wantEp: []string{"/ep"}, wantArgv: []string{"/ep"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep, cmd, argv, err := command(tt.image, tt.entrypoint, tt.args)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.wantEp, ep); diff != "" {
				t.Errorf("entrypoint (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantCm, cmd); diff != "" {
				t.Errorf("cmd (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantArgv, argv); diff != "" {
				t.Errorf("argv (-want +got):\n%s", diff)
			}
		})
	}
}

func TestProcessEnv(t *testing.T) {
	tests := []struct {
		name   string
		config []string
		tty    bool
		want   []string
	}{
		{name: "default path", config: []string{"A=1"},
			want: []string{"PATH=" + defaultPath, "HOSTNAME=h", "A=1"}},
		{name: "image path kept", config: []string{"PATH=/x"},
			want: []string{"PATH=/x", "HOSTNAME=h"}}, // replaced in place, as Docker's ReplaceOrAppendEnvValues
		{name: "tty term", tty: true,
			want: []string{"PATH=" + defaultPath, "HOSTNAME=h", "TERM=xterm"}},
		{name: "config order after defaults", config: []string{"X=1", "PATH=/x", "A=2"},
			want: []string{"PATH=/x", "HOSTNAME=h", "X=1", "A=2"}},
		{name: "user overrides defaults", config: []string{"HOSTNAME=mine", "TERM=dumb"}, tty: true,
			want: []string{"PATH=" + defaultPath, "HOSTNAME=mine", "TERM=dumb"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, processEnv(tt.config, "h", tt.tty)); diff != "" {
				t.Errorf("env (-want +got):\n%s", diff)
			}
		})
	}
}
