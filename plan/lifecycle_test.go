package plan

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

func TestParseRestart(t *testing.T) {
	for _, tc := range []struct {
		in      string
		rm      bool
		want    RestartPolicy
		wantErr string
	}{
		{in: "", want: RestartPolicy{Name: "no"}},
		{in: "no", want: RestartPolicy{Name: "no"}},
		{in: "always", want: RestartPolicy{Name: "always"}},
		{in: "unless-stopped", want: RestartPolicy{Name: "unless-stopped"}},
		{in: "on-failure", want: RestartPolicy{Name: "on-failure"}},
		{in: "on-failure:3", want: RestartPolicy{Name: "on-failure", MaximumRetryCount: 3}},
		{in: ":3", wantErr: "no policy provided before colon"},
		{in: "on-failure:x", wantErr: "maximum retry count must be an integer"},
		{in: "on-failure:-1", wantErr: "maximum retry count cannot be negative"},
		{in: "always:2", wantErr: "maximum retry count can only be used with 'on-failure'"},
		{in: "sometimes", wantErr: "unknown policy 'sometimes'"},
		{in: "always", rm: true, wantErr: "cannot specify both --restart and --rm"},
		{in: "no", rm: true, want: RestartPolicy{Name: "no"}},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseRestart(tc.in, tc.rm)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, ErrBadOption) {
					t.Fatalf("parseRestart(%q): %v, want an ErrBadOption with %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestParseLabels(t *testing.T) {
	file := filepath.Join(t.TempDir(), "labels")
	if err := os.WriteFile(file, []byte("# c\n a=file \n\nb=file\nc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := parseLabels([]string{"b=flag", "d=x=y"}, []string{file})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": "file", "b": "flag", "c": "", "d": "x=y"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if got, err := parseLabels(nil, nil); got != nil || err != nil {
		t.Errorf("no labels: %v, %v", got, err)
	}
	if _, err := parseLabels([]string{"=v"}, nil); err == nil || !strings.Contains(err.Error(), "invalid label '=v': empty name") {
		t.Errorf("empty name: %v", err)
	}
	if _, err := parseLabels(nil, []string{filepath.Join(t.TempDir(), "none")}); err == nil {
		t.Error("missing label file: no error")
	}
}

func TestParseUlimits(t *testing.T) {
	defer func(f func(int) (uint64, error)) { hostHardLimit = f }(hostHardLimit)
	hostHardLimit = func(int) (uint64, error) { return 4096, nil }
	for _, tc := range []struct {
		in       []string
		rootless bool
		want     []Rlimit
		wantErr  string
	}{
		{in: []string{"nofile=512:1024"}, want: []Rlimit{{Name: "nofile", Resource: unix.RLIMIT_NOFILE, Soft: 512, Hard: 1024}}},
		{in: []string{"nproc=77"}, want: []Rlimit{{Name: "nproc", Resource: unix.RLIMIT_NPROC, Soft: 77, Hard: 77}}},
		{in: []string{"core=-1"}, want: []Rlimit{{Name: "core", Resource: unix.RLIMIT_CORE, Soft: unix.RLIM_INFINITY, Hard: unix.RLIM_INFINITY}}},
		{in: []string{"nofile=1:2", "nofile=3:4"}, want: []Rlimit{{Name: "nofile", Resource: unix.RLIMIT_NOFILE, Soft: 3, Hard: 4}}},
		{in: []string{"nofile=2:1"}, wantErr: "soft limit must be less than or equal to hard limit"},
		{in: []string{"bogus=1"}, wantErr: "invalid ulimit type: bogus"},
		{in: []string{"nofile"}, wantErr: "invalid ulimit argument: nofile"},
		{in: []string{"nofile=1024:8192"}, rootless: true, wantErr: "hard limit 8192 is above this user's 4096"},
		{in: []string{"nofile=1024:4096"}, rootless: true, want: []Rlimit{{Name: "nofile", Resource: unix.RLIMIT_NOFILE, Soft: 1024, Hard: 4096}}},
		{in: []string{"nofile=1024:8192"}, want: []Rlimit{{Name: "nofile", Resource: unix.RLIMIT_NOFILE, Soft: 1024, Hard: 8192}}},
	} {
		t.Run(strings.Join(tc.in, " "), func(t *testing.T) {
			got, err := parseUlimits(tc.in, tc.rootless)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("parseUlimits(%q): %v, want %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestParseSignal(t *testing.T) {
	for in, want := range map[string]unix.Signal{"TERM": unix.SIGTERM, "sigusr1": unix.SIGUSR1, "9": unix.SIGKILL, "SIGHUP": unix.SIGHUP} {
		if got, err := ParseSignal(in); err != nil || got != want {
			t.Errorf("ParseSignal(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"NOPE", "0", "65", ""} {
		if _, err := ParseSignal(bad); !errors.Is(err, ErrBadSignal) {
			t.Errorf("ParseSignal(%q): %v, want ErrBadSignal", bad, err)
		}
	}
}
