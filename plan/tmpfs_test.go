package plan

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"pocket/ns"
)

func TestTmpfsMounts(t *testing.T) {
	tests := []struct {
		flag    string
		want    ns.Mount
		wantErr bool
	}{
		{flag: "/run", want: ns.Mount{Type: "tmpfs", Source: "tmpfs", Target: "/run", Options: []string{"noexec", "nosuid", "nodev"}}},
		{flag: "/run:size=64m,exec", want: ns.Mount{Type: "tmpfs", Source: "tmpfs", Target: "/run", Options: []string{"nosuid", "nodev", "size=64m"}}},
		{flag: "/data/:ro,mode=1777", want: ns.Mount{Type: "tmpfs", Source: "tmpfs", Target: "/data", Options: []string{"noexec", "nosuid", "nodev", "mode=1777"}, Readonly: true}},
		{flag: "rel", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.flag, func(t *testing.T) {
			got, err := tmpfsMounts([]string{tt.flag})
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if diff := cmp.Diff([]ns.Mount{tt.want}, got); diff != "" {
				t.Errorf("mounts (-want +got):\n%s", diff)
			}
		})
	}
}
