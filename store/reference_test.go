package store

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The cases are Docker's behaviour (docker pull / docker tag, which use
// distribution/reference.ParseNormalizedNamed).
func TestParseReference(t *testing.T) {
	digest := "sha256:" + strings.Repeat("a", 64)
	tests := []struct {
		in      string
		want    string // canonical form
		wantErr string // substring of the error
	}{
		{in: "alpine", want: "docker.io/library/alpine:latest"},
		{in: "alpine:3.20", want: "docker.io/library/alpine:3.20"},
		{in: "user/app", want: "docker.io/user/app:latest"},
		{in: "user/app:v1.2-rc_3", want: "docker.io/user/app:v1.2-rc_3"},
		{in: "docker.io/alpine", want: "docker.io/library/alpine:latest"},
		{in: "docker.io/library/alpine", want: "docker.io/library/alpine:latest"},
		{in: "index.docker.io/library/alpine", want: "docker.io/library/alpine:latest"},
		{in: "index.docker.io/alpine:edge", want: "docker.io/library/alpine:edge"},
		{in: "localhost/app", want: "localhost/app:latest"},
		{in: "localhost:5000/app:1", want: "localhost:5000/app:1"},
		{in: "quay.io/coreos/etcd", want: "quay.io/coreos/etcd:latest"},
		{in: "127.0.0.1:5000/a/b/c:t", want: "127.0.0.1:5000/a/b/c:t"},
		{in: "[::1]:5000/app", want: "[::1]:5000/app:latest"},
		{in: "my-registry.example.com/team/app", want: "my-registry.example.com/team/app:latest"},
		{in: "library/alpine", want: "docker.io/library/alpine:latest"},
		{in: "a/b/c", want: "docker.io/a/b/c:latest"},
		{in: "foo__bar/baz.qux-x", want: "docker.io/foo__bar/baz.qux-x:latest"},
		{in: "alpine@" + digest, want: "docker.io/library/alpine@" + digest},
		{in: "alpine:3.20@" + digest, want: "docker.io/library/alpine@" + digest},
		{in: "Registry.Example.com/app", want: "Registry.Example.com/app:latest"},
		{in: "alpine:" + strings.Repeat("t", 128), want: "docker.io/library/alpine:" + strings.Repeat("t", 128)},

		{in: "", wantErr: "invalid reference format"},
		{in: "Alpine", wantErr: `invalid reference format "Alpine": repository name (library/Alpine) must be lowercase`},
		{in: "user/App", wantErr: "repository name (user/App) must be lowercase"},
		{in: "alpine:", wantErr: `invalid reference format "alpine:"`},
		{in: ":latest", wantErr: "invalid reference format"},
		{in: digest, wantErr: "a digest is not a repository name"},
		{in: strings.Repeat("a", 64), wantErr: "64-character hexadecimal"},
		{in: "alpine:" + strings.Repeat("t", 129), wantErr: "invalid reference format"},
		{in: "alpine:-bad", wantErr: "invalid reference format"},
		{in: "-alpine", wantErr: "invalid reference format"},
		{in: "alpine-", wantErr: "invalid reference format"},
		{in: "a..b", wantErr: "invalid reference format"},
		{in: "alpine@sha256:abc", wantErr: "invalid reference format"},
		{in: "alpine@md5:" + strings.Repeat("a", 32), wantErr: "digest must be sha256"},
		{in: "alpine image", wantErr: "invalid reference format"},
		{in: "docker.io/" + strings.Repeat("a", 250), wantErr: "must not be more than 255 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := ParseReference(tt.in)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("ParseReference(%q) = %v, want error %q", tt.in, r, tt.wantErr)
				}
				if !errors.Is(err, ErrBadReference) {
					t.Errorf("error %v does not wrap ErrBadReference", err)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %q does not contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseReference(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, canonical(r)); diff != "" {
				t.Errorf("canonical (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFamiliar(t *testing.T) {
	tests := []struct{ in, want string }{
		{"docker.io/library/alpine", "alpine"},
		{"docker.io/library/alpine:3.20", "alpine:3.20"},
		{"docker.io/user/app:v1", "user/app:v1"},
		{"docker.io/library/a/b", "library/a/b"},
		{"index.docker.io/library/alpine", "alpine"},
		{"localhost:5000/app:1", "localhost:5000/app:1"},
		{"quay.io/coreos/etcd", "quay.io/coreos/etcd"},
		{"docker.io/library/alpine@sha256:abc", "alpine@sha256:abc"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, familiar(tt.in)); diff != "" {
				t.Errorf("familiar (-want +got):\n%s", diff)
			}
			repo, _ := splitName(tt.in)
			frepo, _ := splitName(tt.want)
			if diff := cmp.Diff(frepo, FamiliarName(repo)); diff != "" {
				t.Errorf("FamiliarName (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckImageRef(t *testing.T) {
	for _, tc := range []struct {
		ref string
		ok  bool
	}{
		{"busybox", true},
		{"registry.example:5000/app:1", true},
		{strings.Repeat("ab", 32), true}, // a full image ID
		{"sha256:" + strings.Repeat("ab", 32), true},
		{"sha256:abcd", true}, // an ID prefix
		{"Busybox", false},
		{"Not//A:valid@@ref", false},
		{"", false},
	} {
		t.Run(tc.ref, func(t *testing.T) {
			err := CheckImageRef(tc.ref)
			if (err == nil) != tc.ok {
				t.Errorf("CheckImageRef(%q) = %v, want ok %v", tc.ref, err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrBadReference) {
				t.Errorf("CheckImageRef(%q) = %v, want ErrBadReference", tc.ref, err)
			}
		})
	}
}
