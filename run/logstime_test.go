package run

import (
	"testing"
	"time"
)

func TestParseLogTime(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"10m", now.Add(-10 * time.Minute)},
		{"1h30m", now.Add(-90 * time.Minute)},
		{"1700000000", time.Unix(1700000000, 0)},
		{"1700000000.5", time.Unix(1700000000, 500000000)},
		{"2026-12-01T10:00:00Z", time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)},
		{"2026-12-01T10:00:00.25+01:00", time.Date(2026, 12, 1, 9, 0, 0, 250000000, time.UTC)},
		{"2026-12-01", time.Date(2026, 12, 1, 0, 0, 0, 0, time.Local)},
		{"2026-12-01T10:30", time.Date(2026, 12, 1, 10, 30, 0, 0, time.Local)},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseLogTime(tc.in, now)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tc.want) {
				t.Errorf("ParseLogTime(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
	for _, bad := range []string{"", "yesterday", "10x", "2026-13-01"} {
		if _, err := ParseLogTime(bad, now); err == nil {
			t.Errorf("ParseLogTime(%q): no error", bad)
		}
	}
}
