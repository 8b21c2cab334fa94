package main

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"pocket/pull"
)

func TestHistoryRows(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	long := "/bin/sh -c #(nop) ADD file:0123456789abcdef0123456789abcdef in / "
	h := []pull.HistoryEntry{
		{ID: "sha256:" + strings.Repeat("ab", 32), Created: now.Add(-2 * time.Hour), CreatedBy: "sh\t-c true", Size: 1500, Comment: "msg"},
		{ID: "<missing>", Created: now.Add(-48 * time.Hour), CreatedBy: long, Size: 0},
	}
	tests := []struct {
		name           string
		human, noTrunc bool
		want           []historyRow
	}{
		{name: "default", human: true, want: []historyRow{
			{Comment: "msg", CreatedAt: "2026-01-02T01:04:05Z", CreatedBy: "sh -c true", CreatedSince: "2 hours ago", ID: "abababababab", Size: "1.5kB"},
			{CreatedAt: "2025-12-31T03:04:05Z", CreatedBy: "/bin/sh -c #(nop) ADD file:0123456789abcdef0…", CreatedSince: "2 days ago", ID: "<missing>", Size: "0B"},
		}},
		{name: "no-trunc, -H=false", noTrunc: true, want: []historyRow{
			{Comment: "msg", CreatedAt: "2026-01-02T01:04:05Z", CreatedBy: "sh -c true", CreatedSince: "2026-01-02T01:04:05Z", ID: h[0].ID, Size: "1500"},
			{CreatedAt: "2025-12-31T03:04:05Z", CreatedBy: long, CreatedSince: "2025-12-31T03:04:05Z", ID: "<missing>", Size: "0"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := historyRows(h, tt.human, tt.noTrunc, now)
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}
