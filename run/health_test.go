package run

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestHealthRecord(t *testing.T) {
	type step struct {
		code          int
		inStartPeriod bool
		status        string
		streak        int
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"healthy at once", []step{{0, false, healthHealthy, 0}}},
		{"unhealthy after retries", []step{{1, false, healthStarting, 1}, {1, false, healthStarting, 2}, {1, false, healthUnhealthy, 3}}},
		{"start period does not count", []step{{1, true, healthStarting, 0}, {1, true, healthStarting, 0}, {1, false, healthStarting, 1}}},
		{"once healthy, the start period counts", []step{{0, true, healthHealthy, 0}, {1, true, healthHealthy, 1}}},
		{"recovers", []step{{1, false, healthStarting, 1}, {1, false, healthStarting, 2}, {1, false, healthUnhealthy, 3}, {0, false, healthHealthy, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := Health{Status: healthStarting}
			for i, s := range tt.steps {
				h.record(HealthLog{ExitCode: s.code}, 3, s.inStartPeriod)
				if h.Status != s.status || h.FailingStreak != s.streak {
					t.Fatalf("step %d: %s streak %d, want %s streak %d", i, h.Status, h.FailingStreak, s.status, s.streak)
				}
			}
		})
	}
	h := Health{Status: healthStarting}
	for i := 0; i < 8; i++ {
		h.record(HealthLog{ExitCode: i}, 3, false)
	}
	if len(h.Log) != maxHealthLog || h.Log[0].ExitCode != 3 {
		t.Errorf("log keeps %d entries from exit %d, want %d from 3", len(h.Log), h.Log[0].ExitCode, maxHealthLog)
	}
}

func TestParsePS(t *testing.T) {
	out := `UID          PID    PPID  C STIME TTY          TIME CMD
root           1       0  0 10:00 ?        00:00:01 /sbin/init
root         200       1  0 10:01 ?        00:00:00 sleep 1000
root         300     200  0 10:02 pts/0    00:00:00 sh -c echo a  b
`
	got, err := parsePS(out, []int{200, 300})
	if err != nil {
		t.Fatal(err)
	}
	want := &TopResult{
		Titles: []string{"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"},
		Processes: [][]string{
			{"root", "200", "1", "0", "10:01", "?", "00:00:00", "sleep 1000"},
			{"root", "300", "200", "0", "10:02", "pts/0", "00:00:00", "sh -c echo a b"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parsePS (-want +got):\n%s", diff)
	}
	if _, err := parsePS("USER COMMAND\nroot x\n", nil); err == nil {
		t.Error("ps output without PID: no error")
	}
	threads := "PID TID CMD\n200 - sleep\n- 201 -\n300 - other\n- 301 -\n"
	got, err = parsePS(threads, []int{200})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Processes) != 2 {
		t.Errorf("ps -m rows: %v, want the process and its thread", got.Processes)
	}
}
