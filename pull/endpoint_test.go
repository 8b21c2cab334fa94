package pull

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"pocket/reference"
)

func TestEndpoints(t *testing.T) {
	for _, tc := range []struct {
		ref  string
		regs Registries
		want []string // scheme://reference
	}{
		{"alpine", Registries{Mirrors: []string{"http://127.0.0.1:5000", "https://mirror.gcr.io", "mirror.example.com"}}, []string{
			"http://127.0.0.1:5000/library/alpine:latest",
			"https://mirror.gcr.io/library/alpine:latest",
			"https://mirror.example.com/library/alpine:latest",
			"https://index.docker.io/library/alpine:latest",
		}},
		{"user/app:2@sha256:0123456789012345678901234567890123456789012345678901234567890123", Registries{Mirrors: []string{"http://m:5000"}}, []string{
			"http://m:5000/user/app@sha256:0123456789012345678901234567890123456789012345678901234567890123",
			"https://index.docker.io/user/app@sha256:0123456789012345678901234567890123456789012345678901234567890123",
		}},
		// Mirrors are for Docker Hub only.
		{"quay.io/x/y:1", Registries{Mirrors: []string{"http://m:5000"}}, []string{"https://quay.io/x/y:1"}},
		{"10.1.2.3:5000/x/y:1", Registries{Insecure: []string{"10.1.2.3:5000"}}, []string{"http://10.1.2.3:5000/x/y:1"}},
		{"docker.io/library/busybox:1", Registries{Insecure: []string{"docker.io"}}, []string{"http://index.docker.io/library/busybox:1"}},
		// registry-1.docker.io is Docker Hub too: mirrored, and the same
		// image in the store (reference.IsDockerHub).
		{"registry-1.docker.io/busybox", Registries{Mirrors: []string{"http://m:5000"}}, []string{
			"http://m:5000/library/busybox:latest",
			"https://index.docker.io/library/busybox:latest",
		}},
	} {
		t.Run(tc.ref, func(t *testing.T) {
			r, err := reference.Parse(tc.ref)
			if err != nil {
				t.Fatal(err)
			}
			eps, err := endpoints(r, tc.regs)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ep := range eps {
				got = append(got, ep.ref.Context().Scheme()+"://"+ep.ref.Name())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("endpoints (-want +got):\n%s", diff)
			}
		})
	}
	r, _ := reference.Parse("alpine")
	if _, err := endpoints(r, Registries{Mirrors: []string{"ftp://x"}}); err == nil {
		t.Error("ftp:// mirror accepted")
	}
}

func TestMatches(t *testing.T) {
	for _, tc := range []struct {
		have v1.Platform
		want string
		ok   bool
	}{
		{v1.Platform{OS: "linux", Architecture: "amd64"}, "linux/amd64", true},
		{v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}, "linux/arm64", true},
		{v1.Platform{OS: "linux", Architecture: "arm64"}, "linux/arm64/v8", true},
		{v1.Platform{OS: "linux", Architecture: "arm", Variant: "v6"}, "linux/arm/v7", false},
		{v1.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, "linux/arm/v7", true},
		{v1.Platform{OS: "windows", Architecture: "amd64"}, "linux/amd64", false},
		{v1.Platform{OS: "unknown", Architecture: "unknown"}, "linux/amd64", false},
	} {
		want, err := wantPlatform(tc.want)
		if err != nil {
			t.Fatal(err)
		}
		if got := matches(&tc.have, want); got != tc.ok {
			t.Errorf("matches(%s, %s) = %v, want %v", platformString(tc.have), tc.want, got, tc.ok)
		}
	}
	for _, bad := range []string{"linux", "/amd64", "linux/"} {
		if _, err := wantPlatform(bad); err == nil {
			t.Errorf("wantPlatform(%q) accepted", bad)
		}
	}
}
