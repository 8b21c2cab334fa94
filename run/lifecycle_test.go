package run

import (
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseSignal(t *testing.T) {
	tests := []struct {
		in      string
		want    syscall.Signal
		wantErr bool
	}{
		{in: "KILL", want: syscall.SIGKILL},
		{in: "SIGKILL", want: syscall.SIGKILL},
		{in: "kill", want: syscall.SIGKILL},
		{in: "9", want: syscall.SIGKILL},
		{in: "TERM", want: syscall.SIGTERM},
		{in: "sigusr1", want: syscall.SIGUSR1},
		{in: "HUP", want: syscall.SIGHUP},
		{in: "15", want: syscall.SIGTERM},
		{in: "0", wantErr: true},
		{in: "65", wantErr: true},
		{in: "NOPE", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseSignal(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("parseSignal(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestStatusText(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		st   State
		want string
	}{
		{State{Status: statusCreated}, "Created"},
		{State{Status: statusRunning, StartedAt: now.Add(-3 * time.Second)}, "Up 3 seconds"},
		{State{Status: statusRunning, StartedAt: now.Add(-2 * time.Hour)}, "Up 2 hours"},
		{State{Status: statusExited, ExitCode: 0, FinishedAt: now.Add(-5 * time.Second)}, "Exited (0) 5 seconds ago"},
		{State{Status: statusExited, ExitCode: 137, FinishedAt: now.Add(-3 * time.Minute)}, "Exited (137) 3 minutes ago"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := statusText(tt.st, now); got != tt.want {
				t.Errorf("statusText = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestShortCommand(t *testing.T) {
	if got := shortCommand([]string{"sh", "-c", "echo hi"}); got != "sh -c echo hi" {
		t.Errorf("short = %q", got)
	}
	if got := shortCommand([]string{"sh", "-c", "while true; do sleep 1; done"}); got != "sh -c while true; d…" {
		t.Errorf("long = %q", got)
	}
}

func TestLogWriter(t *testing.T) {
	var out, logged []byte
	l := &jsonLog{w: writerFunc(func(p []byte) { logged = append(logged, p...) })}
	w := &logWriter{out: writerFunc(func(p []byte) { out = append(out, p...) }), log: l, stream: "stderr"}
	w.Write([]byte("one\ntw"))
	w.Write([]byte("o\nthree"))
	w.flush()
	if string(out) != "one\ntwo\nthree" {
		t.Errorf("user output = %q", out)
	}
	var got []string
	for _, line := range splitLines(logged) {
		var e logEntry
		if err := jsonUnmarshal(line, &e); err != nil {
			t.Fatal(err)
		}
		if e.Stream != "stderr" || e.Time.IsZero() {
			t.Errorf("entry %s", line)
		}
		got = append(got, e.Log)
	}
	if diff := cmp.Diff([]string{"one\n", "two\n", "three"}, got); diff != "" {
		t.Errorf("log (-want +got):\n%s", diff)
	}
}
