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

func hostEnv(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestUserEnv(t *testing.T) {
	lookup := hostEnv(map[string]string{"HOSTVAR": "fromhost", "EMPTY": ""})
	tests := []struct {
		name  string
		image []string
		flags []string
		want  []string
	}{
		{name: "image only", image: []string{"PATH=/bin", "A=1"}, want: []string{"PATH=/bin", "A=1"}},
		{name: "override in place", image: []string{"A=1", "B=2"}, flags: []string{"A=x"}, want: []string{"A=x", "B=2"}},
		{name: "append new", image: []string{"A=1"}, flags: []string{"C=3"}, want: []string{"A=1", "C=3"}},
		{name: "copy from host", flags: []string{"HOSTVAR"}, want: []string{"HOSTVAR=fromhost"}},
		{name: "host empty is kept", flags: []string{"EMPTY"}, want: []string{"EMPTY="}},
		{name: "unset on host is omitted", image: []string{"A=1"}, flags: []string{"NOPE"}, want: []string{"A=1"}},
		{name: "explicit empty value", flags: []string{"A="}, want: []string{"A="}},
		{name: "value with equals", flags: []string{"A=b=c"}, want: []string{"A=b=c"}},
		{name: "last flag wins", flags: []string{"A=1", "A=2"}, want: []string{"A=2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := userEnv(tt.image, tt.flags, nil, lookup)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("env (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := userEnv(nil, []string{"=x"}, nil, lookup); err == nil {
		t.Error("-e =x: no error")
	}
}

func TestParseEnvFile(t *testing.T) {
	lookup := hostEnv(map[string]string{"HOSTVAR": "h"})
	tests := []struct {
		name, data string
		want       []string
		wantErr    bool
	}{
		{name: "plain", data: "A=1\nB=two words\n", want: []string{"A=1", "B=two words"}},
		{name: "comments and blanks", data: "# comment\n\n  # indented comment\nA=1\n", want: []string{"A=1"}},
		{name: "value verbatim", data: "A= spaced \"q\" \n", want: []string{"A= spaced \"q\" "}},
		{name: "leading whitespace trimmed", data: "   A=1\n", want: []string{"A=1"}},
		{name: "host copy", data: "HOSTVAR\nUNSET\n", want: []string{"HOSTVAR=h"}},
		{name: "crlf", data: "A=1\r\n", want: []string{"A=1"}},
		{name: "no trailing newline", data: "A=1", want: []string{"A=1"}},
		{name: "space in name", data: "A B=1\n", wantErr: true},
		{name: "no name", data: "=1\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseEnvFile([]byte(tt.data), lookup)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("env (-want +got):\n%s", diff)
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
			want: []string{"HOSTNAME=h", "PATH=/x"}}, // Docker appends the configured env after its defaults
		{name: "tty term", tty: true,
			want: []string{"PATH=" + defaultPath, "HOSTNAME=h", "TERM=xterm"}},
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

func TestWorkdir(t *testing.T) {
	tests := []struct {
		flag, image, want string
		wantErr           bool
	}{
		{want: "/"},
		{image: "/app", want: "/app"},
		{image: "app", want: "/app"},
		{flag: "/tmp", image: "/app", want: "/tmp"},
		{flag: "/a/../b/", want: "/b"},
		{flag: "rel", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.flag+"|"+tt.image, func(t *testing.T) {
			got, err := workdir(tt.flag, tt.image)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("workdir = %q, want %q", got, tt.want)
			}
		})
	}
}
