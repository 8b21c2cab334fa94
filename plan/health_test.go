package plan

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestHealthcheck(t *testing.T) {
	image := &v1.HealthConfig{Test: []string{"CMD", "check"}, Interval: time.Minute, Retries: 5}
	tests := []struct {
		name    string
		flags   HealthOptions
		image   *v1.HealthConfig
		want    *v1.HealthConfig
		wantErr error
	}{
		{name: "none at all"},
		{name: "image's", image: image, want: image},
		{name: "--health-cmd over the image's", flags: HealthOptions{Cmd: "true", Timeout: time.Second}, image: image,
			want: &v1.HealthConfig{Test: []string{"CMD-SHELL", "true"}, Interval: time.Minute, Timeout: time.Second, Retries: 5}},
		{name: "interval only keeps the image's test", flags: HealthOptions{Interval: time.Second}, image: image,
			want: &v1.HealthConfig{Test: []string{"CMD", "check"}, Interval: time.Second, Retries: 5}},
		{name: "--no-healthcheck", flags: HealthOptions{None: true}, image: image},
		{name: "image NONE", image: &v1.HealthConfig{Test: []string{"NONE"}}},
		{name: "conflict", flags: HealthOptions{None: true, Cmd: "x"}, wantErr: ErrBadOption},
		{name: "negative", flags: HealthOptions{Interval: -time.Second}, wantErr: ErrBadOption},
		{name: "under 1ms", flags: HealthOptions{Timeout: time.Microsecond}, wantErr: ErrBadOption},
		{name: "unknown type", image: &v1.HealthConfig{Test: []string{"BOGUS"}}, wantErr: ErrBadHealthcheck},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := healthcheck(tt.flags)
			var got *v1.HealthConfig
			if err == nil {
				got, err = (&Plan{health: h}).Healthcheck(tt.image)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("healthcheck (-want +got):\n%s", diff)
			}
		})
	}
}
