package plan

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

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
		// Docker's Config.Env: the user's first, then the image's not overridden.
		{name: "override", image: []string{"PATH=/bin", "A=1", "B=2"}, flags: []string{"B=x"}, want: []string{"B=x", "PATH=/bin", "A=1"}},
		{name: "user first", image: []string{"A=1"}, flags: []string{"C=3"}, want: []string{"C=3", "A=1"}},
		{name: "copy from host", flags: []string{"HOSTVAR"}, want: []string{"HOSTVAR=fromhost"}},
		{name: "host empty is kept", flags: []string{"EMPTY"}, want: []string{"EMPTY="}},
		{name: "unset on host is omitted", image: []string{"A=1"}, flags: []string{"NOPE"}, want: []string{"A=1"}},
		{name: "explicit empty value", flags: []string{"A="}, want: []string{"A="}},
		{name: "value with equals", flags: []string{"A=b=c"}, want: []string{"A=b=c"}},
		{name: "repeated flag kept", flags: []string{"A=1", "A=2"}, want: []string{"A=1", "A=2"}}, // the process sees A=2
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			extra, err := userEnv(tt.flags, nil, lookup)
			if err != nil {
				t.Fatal(err)
			}
			got := (&Plan{Env: extra}).ConfigEnv(tt.image)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("env (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := userEnv([]string{"=x"}, nil, lookup); err == nil {
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
