package plan

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// planMounts is what create mounts for the options and the image's VOLUMEs.
func planMounts(o *Options, imageVolumes map[string]struct{}) ([]MountSpec, error) {
	specs, taken, err := userMounts(o)
	if err != nil {
		return nil, err
	}
	return (&Plan{Mounts: specs, taken: taken}).Volumes(imageVolumes), nil
}

func TestPlanMounts(t *testing.T) {
	img := func(vs ...string) map[string]struct{} {
		m := map[string]struct{}{}
		for _, v := range vs {
			m[v] = struct{}{}
		}
		return m
	}
	for _, tc := range []struct {
		name    string
		o       Options
		image   map[string]struct{}
		want    []MountSpec
		wantErr string
	}{
		{
			name:  "image volumes become anonymous volumes, sorted",
			image: img("/var/lib/db", "/data/"),
			want:  []MountSpec{{Type: "volume", Target: "/data"}, {Type: "volume", Target: "/var/lib/db"}},
		},
		{
			name:  "a user mount on an image volume's path replaces it",
			o:     Options{Volumes: []string{"mine:/data/"}, Mounts: []string{"type=bind,src=/h,dst=/b"}, Tmpfs: []string{"/t"}},
			image: img("/data", "/b", "/t", "/other"),
			want: []MountSpec{
				{Type: "volume", Source: "mine", Target: "/data"},
				{Type: "bind", Source: "/h", Target: "/b"},
				{Type: "volume", Target: "/other"},
			},
		},
		{
			name:  "hostile image volumes are ignored",
			image: img("/", "relative", "/x/.."),
		},
		{
			name:    "duplicate -v targets",
			o:       Options{Volumes: []string{"a1:/x", "/h:/x/"}},
			wantErr: "duplicate mount point: /x",
		},
		{
			name:    "-v and --tmpfs on one path",
			o:       Options{Volumes: []string{"a1:/x"}, Tmpfs: []string{"/x:size=1m"}},
			wantErr: "duplicate mount point: /x",
		},
		{
			name:    "-v and --mount on one path",
			o:       Options{Volumes: []string{"/y"}, Mounts: []string{"type=tmpfs,target=/y"}},
			wantErr: "duplicate mount point: /y",
		},
		{
			name:    "bad --mount",
			o:       Options{Mounts: []string{"type=nfs,target=/y"}},
			wantErr: "unknown mount type",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := planMounts(&tc.o, tc.image)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("planMounts (-want +got):\n%s", diff)
			}
		})
	}
}
