package plan

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseVolume(t *testing.T) {
	for _, tc := range []struct {
		spec    string
		want    MountSpec
		wantErr string
	}{
		{spec: "/data", want: MountSpec{Type: "volume", Target: "/data"}},
		{spec: "cache:/var/cache", want: MountSpec{Type: "volume", Source: "cache", Target: "/var/cache"}},
		{spec: "cache:/var/cache:ro", want: MountSpec{Type: "volume", Source: "cache", Target: "/var/cache", ReadOnly: true, Mode: "ro"}},
		{spec: "cache:/c:nocopy,rw", want: MountSpec{Type: "volume", Source: "cache", Target: "/c", NoCopy: true, Mode: "nocopy,rw"}},
		{spec: "/srv/x/../y:/y:ro", want: MountSpec{Type: "bind", Source: "/srv/y", Target: "/y", ReadOnly: true, Create: true, Mode: "ro"}},
		{spec: "/h:/c:rslave", want: MountSpec{Type: "bind", Source: "/h", Target: "/c", Create: true, Options: []string{"rslave"}, Mode: "rslave"}},
		{spec: "./rel:/c", wantErr: "absolute path"},
		{spec: "vol:rel", wantErr: "must be absolute"},
		{spec: "vol:/", wantErr: "cannot mount over /"},
		{spec: "vol:/c:bogus", wantErr: `unknown option "bogus"`},
		{spec: "a:/b:ro:x", wantErr: "too many colons"},
		{spec: "", wantErr: "empty container path"},
		{spec: "/h:/c:nocopy", wantErr: "nocopy applies to volumes"},
		{spec: ":/x", wantErr: "invalid spec: :/x: empty section between colons"},
		{spec: "vol::ro", wantErr: "invalid spec: vol::ro: empty section between colons"},
		{spec: "/h:/c:", wantErr: "invalid spec: /h:/c:: empty section between colons"},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			got, err := ParseVolume(tc.spec)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseVolume(%q) error = %v, want one containing %q", tc.spec, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("ParseVolume(%q) (-want +got):\n%s", tc.spec, d)
			}
		})
	}
}

func TestParseMount(t *testing.T) {
	for _, tc := range []struct {
		spec    string
		want    MountSpec
		wantErr string
	}{
		{spec: "type=bind,source=/h,target=/c,readonly", want: MountSpec{Type: "bind", Source: "/h", Target: "/c", ReadOnly: true}},
		{spec: "type=bind,src=/h,dst=/c,ro=false", want: MountSpec{Type: "bind", Source: "/h", Target: "/c"}},
		{spec: "source=v,target=/c", want: MountSpec{Type: "volume", Source: "v", Target: "/c"}},
		{spec: "target=/c,volume-nocopy", want: MountSpec{Type: "volume", Target: "/c", NoCopy: true}},
		{spec: "type=tmpfs,destination=/t,tmpfs-size=64m,tmpfs-mode=1770", want: MountSpec{Type: "tmpfs", Target: "/t", Options: []string{"noexec", "nosuid", "nodev", "size=64m", "mode=1770"}}},
		{spec: "type=bind,target=/c", wantErr: "source is required"},
		{spec: "type=bind,source=rel,target=/c", wantErr: "absolute path"},
		{spec: "type=nfs,target=/c", wantErr: `unknown mount type "nfs"`},
		{spec: "type=volume,source=v", wantErr: "target is required"},
		{spec: "type=volume,target=/c,tmpfs-size=1m", wantErr: "tmpfs options apply"},
		{spec: "type=tmpfs,source=x,target=/c", wantErr: "tmpfs takes no source"},
		{spec: "target=/c,readonly=maybe", wantErr: "readonly"},
		{spec: "target=/c,color=red", wantErr: `unexpected key "color"`},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			got, err := ParseMount(tc.spec)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseMount(%q) error = %v, want one containing %q", tc.spec, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("ParseMount(%q) (-want +got):\n%s", tc.spec, d)
			}
		})
	}
}

func TestParseTmpfs(t *testing.T) {
	got, err := ParseTmpfs("/run:size=1m,mode=700")
	if err != nil {
		t.Fatal(err)
	}
	want := MountSpec{Type: "tmpfs", Target: "/run", Options: []string{"noexec", "nosuid", "nodev", "size=1m", "mode=700"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if _, err := ParseTmpfs("run"); err == nil {
		t.Error("relative --tmpfs accepted")
	}
}
