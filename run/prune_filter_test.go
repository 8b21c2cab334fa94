package run

import (
	"strconv"
	"testing"
	"time"

	"pocket/filter"
)

// Prune filters as the Docker daemon reads them (docs: "docker container
// prune --filter"): until a timestamp or duration, every label= must
// match, label!= spares what carries every one of its labels.
func TestPruneFilterMatch(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	old, fresh := now.Add(-48*time.Hour), now.Add(-time.Hour)
	labels := map[string]string{"env": "ci", "keep": ""}
	for _, tc := range []struct {
		name    string
		args    []string
		created time.Time
		labels  map[string]string
		want    bool
	}{
		{name: "no filter", created: fresh, want: true},
		{name: "until duration, older", args: []string{"until=24h"}, created: old, want: true},
		{name: "until duration, newer", args: []string{"until=24h"}, created: fresh},
		{name: "until unix time", args: []string{"until=" + strconv.FormatInt(now.Add(-2*time.Hour).Unix(), 10)}, created: fresh},
		{name: "until RFC 3339", args: []string{"until=2026-12-01T00:00:00Z"}, created: old, want: true},
		{name: "until date", args: []string{"until=2026-12-03"}, created: fresh, want: true},
		{name: "label key", args: []string{"label=env"}, labels: labels, want: true},
		{name: "label key=value", args: []string{"label=env=ci"}, labels: labels, want: true},
		{name: "label other value", args: []string{"label=env=prod"}, labels: labels},
		{name: "labels ANDed", args: []string{"label=env=ci", "label=absent"}, labels: labels},
		{name: "no labels", args: []string{"label=env"}},
		{name: "label! spares", args: []string{"label!=keep"}, labels: labels},
		{name: "label! value other", args: []string{"label!=env=prod"}, labels: labels, want: true},
		{name: "label! all must match", args: []string{"label!=keep", "label!=absent"}, labels: labels, want: true},
		{name: "label! without labels", args: []string{"label!=keep"}, want: true},
		{name: "until and label", args: []string{"until=24h", "label=env"}, created: fresh, labels: labels},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := filter.Parse(tc.args, ContainerPruneFilterKeys...)
			if err != nil {
				t.Fatal(err)
			}
			p, err := NewPruneFilter(f, now)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Match(tc.created, tc.labels); got != tc.want {
				t.Errorf("Match = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNewPruneFilterErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"until=soon"}, `failed to parse value as time or duration: "soon"`},
		{[]string{"until=1h", "until=2h"}, "more than one until filter specified"},
	} {
		f, _ := filter.Parse(tc.args, ContainerPruneFilterKeys...)
		if _, err := NewPruneFilter(f, time.Now()); err == nil || err.Error() != tc.want {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
		}
	}
}
