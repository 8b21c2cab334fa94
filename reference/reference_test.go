package reference

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
)

// The cases are Docker's behaviour (docker pull / docker tag, which use
// distribution/reference.ParseNormalizedNamed).
func TestParse(t *testing.T) {
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
		// Every spelling of Docker Hub is the same image (see isHubHost).
		{in: "index.docker.io/busybox", want: "docker.io/library/busybox:latest"},
		{in: "registry-1.docker.io/library/busybox", want: "docker.io/library/busybox:latest"},
		{in: "registry-1.docker.io/busybox:1", want: "docker.io/library/busybox:1"},
		{in: "registry-1.docker.io/user/app@" + digest, want: "docker.io/user/app@" + digest},
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
			r, err := Parse(tt.in)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("Parse(%q) = %v, want error %q", tt.in, r, tt.wantErr)
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
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, Canonical(r)); diff != "" {
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
		{"registry-1.docker.io/library/alpine:1", "alpine:1"},
		{"localhost:5000/app:1", "localhost:5000/app:1"},
		{"quay.io/coreos/etcd", "quay.io/coreos/etcd"},
		{"docker.io/library/alpine@sha256:abc", "alpine@sha256:abc"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, FamiliarString(tt.in)); diff != "" {
				t.Errorf("FamiliarString (-want +got):\n%s", diff)
			}
			repo, _ := Split(tt.in)
			frepo, _ := Split(tt.want)
			if diff := cmp.Diff(frepo, FamiliarName(repo)); diff != "" {
				t.Errorf("FamiliarName (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCanonicalAndFamiliar(t *testing.T) {
	digest := "sha256:" + strings.Repeat("b", 64)
	for _, tc := range []struct{ in, canonical, familiar string }{
		{"alpine", "docker.io/library/alpine:latest", "alpine:latest"},
		{"user/app:1", "docker.io/user/app:1", "user/app:1"},
		{"library/a/b", "docker.io/library/a/b:latest", "library/a/b:latest"},
		{"localhost:5000/a/b:c", "localhost:5000/a/b:c", "localhost:5000/a/b:c"},
		{"registry-1.docker.io/library/busybox", "docker.io/library/busybox:latest", "busybox:latest"},
		{"alpine@" + digest, "docker.io/library/alpine@" + digest, "alpine@" + digest},
	} {
		t.Run(tc.in, func(t *testing.T) {
			r, err := Parse(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.canonical, Canonical(r)); diff != "" {
				t.Errorf("Canonical (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.familiar, Familiar(r)); diff != "" {
				t.Errorf("Familiar (-want +got):\n%s", diff)
			}
		})
	}
}

// TestIsDockerHub: pull (mirrors, hints) and the store (names) ask the same
// question and must get the same answer for every spelling of Docker Hub.
func TestIsDockerHub(t *testing.T) {
	for _, tc := range []struct {
		registry string
		hub      bool
	}{
		{"docker.io", true},
		{"index.docker.io", true},
		{"registry-1.docker.io", true},
		{"quay.io", false},
		{"docker.io.example.com", false},
		{"localhost:5000", false},
	} {
		t.Run(tc.registry, func(t *testing.T) {
			reg, err := name.NewRegistry(tc.registry)
			if err != nil {
				t.Fatal(err)
			}
			repo := reg.Repo("library/busybox")
			if got := IsDockerHub(repo); got != tc.hub {
				t.Errorf("IsDockerHub(%s) = %v, want %v", repo, got, tc.hub)
			}
			wantDomain := tc.registry
			if tc.hub {
				wantDomain = Hub
			}
			if got := Domain(repo); got != wantDomain {
				t.Errorf("Domain(%s) = %s, want %s", repo, got, wantDomain)
			}
			if got, want := FamiliarName(tc.registry+"/library/busybox"), map[bool]string{true: "busybox", false: tc.registry + "/library/busybox"}[tc.hub]; got != want {
				t.Errorf("FamiliarName = %s, want %s", got, want)
			}
		})
	}
}

func TestIsImageID(t *testing.T) {
	for _, tc := range []struct {
		in string
		id bool
	}{
		{strings.Repeat("a", 64), true},
		{"sha256:" + strings.Repeat("a", 64), true},
		{"3f2a", false}, // also a valid name: looked up as a name first
		{"busybox", false},
		{"alpine@sha256:" + strings.Repeat("a", 64), false},
	} {
		if got := IsImageID(tc.in); got != tc.id {
			t.Errorf("IsImageID(%q) = %v, want %v", tc.in, got, tc.id)
		}
	}
}

// TestGrammarAsDistribution: the reference grammar with its bounds checked
// on the match (tagMax, digestMin) and the hand-written digest and ID
// checks accept exactly what distribution/reference's bounded regular
// expressions accept, on names, tags and digests around every bound.
func TestGrammarAsDistribution(t *testing.T) {
	bounded := regexp.MustCompile(`^(` + namePat + `)(?::([\w][\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,}))?$`)
	hex64 := regexp.MustCompile(`^[a-f0-9]{64}$`)
	digestOnly := regexp.MustCompile(`^sha(256|384|512):[a-fA-F0-9]{32,}$`)
	sha256 := regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)

	var in []string
	for _, name := range []string{"docker.io/library/alpine", "localhost:5000/a/b", "[::1]:5000/app", "a..b", "-x"} {
		in = append(in, name)
		for _, n := range []int{0, 1, 126, 127, 128, 129, 200} {
			for _, c := range []string{"t", ".", "-", "_", "T", "é"} {
				in = append(in, name+":"+strings.Repeat(c, n), name+":v"+strings.Repeat(c, n))
			}
		}
		for _, n := range []int{0, 31, 32, 33, 63, 64, 65} {
			for _, h := range []string{"a", "A", "0", "g"} {
				d := strings.Repeat(h, n)
				in = append(in, name+"@sha256:"+d, name+":tag@sha256:"+d, name+"@sha512:"+d, name+"@x+y.z:"+d, name+"@:"+d)
			}
		}
	}
	for _, s := range in {
		m := match(s)
		got := m != nil
		if want := bounded.MatchString(s); got != want {
			t.Errorf("grammar(%q) = %v, distribution's = %v", s, got, want)
		}
		if m != nil && m[3] != "" {
			if got, want := isSHA256(m[3]), sha256.MatchString(m[3]); got != want {
				t.Errorf("isSHA256(%q) = %v, want %v", m[3], got, want)
			}
		}
	}
	var ids []string
	for _, n := range []int{0, 31, 32, 63, 64, 65} {
		for _, h := range []string{"a", "F", "0", "g", "f"} {
			d := strings.Repeat(h, n)
			ids = append(ids, d, "sha256:"+d, "sha384:"+d, "sha512:"+d, "sha1:"+d, "SHA256:"+d, "sha256"+d)
		}
	}
	for _, s := range ids {
		if got, want := isHex64(s), hex64.MatchString(s); got != want {
			t.Errorf("isHex64(%q) = %v, want %v", s, got, want)
		}
		if got, want := isDigestOnly(s), digestOnly.MatchString(s); got != want {
			t.Errorf("isDigestOnly(%q) = %v, want %v", s, got, want)
		}
		if got, want := isSHA256(s), sha256.MatchString(s); got != want {
			t.Errorf("isSHA256(%q) = %v, want %v", s, got, want)
		}
	}
}
