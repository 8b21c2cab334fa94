package lockfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"pocket/reference"
)

func hash(c string) v1.Hash {
	return v1.Hash{Algorithm: "sha256", Hex: strings.Repeat(c, 64)}
}

func ref(t *testing.T, s string) name.Reference {
	t.Helper()
	r, err := reference.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestWriteRead(t *testing.T) {
	f := New()
	f.Set(ref(t, "alpine:3.20").(name.Tag), Entry{Digest: hash("a"), Platforms: map[string]v1.Hash{"linux/amd64": hash("b"), "linux/arm64/v8": hash("c")}})
	f.Set(ref(t, "example.com/team/app:1").(name.Tag), Entry{Digest: hash("d")})
	p := filepath.Join(t.TempDir(), Name)
	if err := f.Write(p); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(p)
	// Docker Hub names are written as Docker normalises them.
	if !strings.Contains(string(first), `"docker.io/library/alpine:3.20"`) {
		t.Errorf("lockfile does not key alpine:3.20 canonically:\n%s", first)
	}
	got, err := Read(p)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f, got); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
	if err := got.Write(p); err != nil {
		t.Fatal(err)
	}
	if second, _ := os.ReadFile(p); string(second) != string(first) {
		t.Errorf("rewriting changed the bytes:\n%s\n%s", first, second)
	}
	if diff := cmp.Diff([]string{"docker.io/library/alpine:3.20", "example.com/team/app:1"}, tagStrings(got.Tags())); diff != "" {
		t.Errorf("Tags (-want +got):\n%s", diff)
	}
}

func tagStrings(tags []name.Tag) []string {
	var out []string
	for _, t := range tags {
		out = append(out, reference.Canonical(t))
	}
	return out
}

func TestReadRefuses(t *testing.T) {
	for _, tc := range []struct{ name, data string }{
		{"not json", "alpine:3.20 sha256:..."},
		{"newer version", `{"lockfileVersion": 2, "images": {}}`},
		{"short name", `{"lockfileVersion": 1, "images": {"alpine:3.20": {"digest": "sha256:` + strings.Repeat("a", 64) + `"}}}`},
		{"digest key", `{"lockfileVersion": 1, "images": {"docker.io/library/alpine@sha256:` + strings.Repeat("a", 64) + `": {"digest": "sha256:` + strings.Repeat("a", 64) + `"}}}`},
		{"no digest", `{"lockfileVersion": 1, "images": {"docker.io/library/alpine:3.20": {}}}`},
		{"unknown field", `{"lockfileVersion": 1, "images": {}, "extra": 1}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), Name)
			os.WriteFile(p, []byte(tc.data), 0o644)
			if _, err := Read(p); !errors.Is(err, ErrBadLockfile) || !strings.Contains(err.Error(), p) {
				t.Errorf("Read = %v, want ErrBadLockfile naming %s", err, p)
			}
		})
	}
	if _, err := Read(filepath.Join(t.TempDir(), "none")); err == nil || !strings.Contains(err.Error(), "pocket lock IMAGE") {
		t.Errorf("Read of a missing file = %v, want a hint", err)
	}
	if f, err := ReadOrNew(filepath.Join(t.TempDir(), "none")); err != nil || len(f.Images) != 0 {
		t.Errorf("ReadOrNew of a missing file = %v, %v", f, err)
	}
}

func TestResolve(t *testing.T) {
	f := New()
	f.Set(ref(t, "alpine:3.20").(name.Tag), Entry{Digest: hash("a"), Platforms: map[string]v1.Hash{
		"linux/amd64": hash("b"), "linux/arm64/v8": hash("c"), "linux/arm": hash("e")}})
	f.Set(ref(t, "example.com/app:1").(name.Tag), Entry{Digest: hash("d")})
	amd64 := v1.Platform{OS: "linux", Architecture: "amd64"}
	for _, tc := range []struct {
		ref      string
		platform v1.Platform
		want     string
		wantErr  bool
	}{
		{ref: "alpine:3.20", platform: amd64, want: "index.docker.io/library/alpine@" + hash("b").String()},
		{ref: "docker.io/library/alpine:3.20", platform: amd64, want: "index.docker.io/library/alpine@" + hash("b").String()},
		{ref: "alpine:3.20", platform: v1.Platform{OS: "linux", Architecture: "arm64"}, want: "index.docker.io/library/alpine@" + hash("c").String()},
		{ref: "alpine:3.20", platform: v1.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, want: "index.docker.io/library/alpine@" + hash("e").String()},
		{ref: "alpine:3.20", platform: v1.Platform{OS: "linux", Architecture: "s390x"}, wantErr: true},
		{ref: "example.com/app:1", platform: amd64, want: "example.com/app@" + hash("d").String()},
		{ref: "alpine:3.21", platform: amd64, wantErr: true},
		{ref: "alpine", platform: amd64, wantErr: true},
		{ref: "busybox@" + hash("f").String(), platform: amd64, want: "index.docker.io/library/busybox@" + hash("f").String()},
	} {
		t.Run(tc.ref+"/"+PlatformKey(tc.platform), func(t *testing.T) {
			got, err := f.Resolve(ref(t, tc.ref), tc.platform)
			if tc.wantErr {
				if !errors.Is(err, ErrNotPinned) || !strings.Contains(err.Error(), reference.Familiar(ref(t, tc.ref))) {
					t.Errorf("Resolve = %v, %v; want ErrNotPinned naming the reference", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tc.want {
				t.Errorf("Resolve = %s, want %s", got, tc.want)
			}
		})
	}
}
