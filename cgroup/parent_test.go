package cgroup

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDelegatedParent(t *testing.T) {
	writable := map[string]bool{
		"/user.slice/user-1000.slice/user@1000.service":                     true,
		"/user.slice/user-1000.slice/user@1000.service/app.slice":           true,
		"/user.slice/user-1000.slice/user@1000.service/app.slice/app.scope": true,
	}
	tests := []struct {
		name   string
		self   string
		want   string
		wantOK bool
	}{
		{"systemd delegation: topmost writable ancestor",
			"0::/user.slice/user-1000.slice/user@1000.service/app.slice/app.scope\n",
			"/user.slice/user-1000.slice/user@1000.service", true},
		{"hybrid host: v1 lines ignored",
			"12:memory:/user.slice\n0::/user.slice/user-1000.slice/user@1000.service/app.slice\n",
			"/user.slice/user-1000.slice/user@1000.service", true},
		{"own cgroup not writable", "0::/user.slice/user-1000.slice/session-1.scope\n", "", false},
		{"root cgroup", "0::/\n", "", false},
		{"cgroup v1 only", "4:pids:/user.slice\n", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := delegatedParent([]byte(tt.self), func(g string) bool { return writable[g] })
			if diff := cmp.Diff([]any{tt.want, tt.wantOK}, []any{got, ok}); diff != "" {
				t.Errorf("delegatedParent (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUnlimited(t *testing.T) {
	tests := []struct {
		name string
		r    Resources
		want string
	}{
		{"no limits", Resources{}, ""},
		{"memory", Resources{Memory: 64 << 20}, "--memory"},
		{"pids", Resources{PidsLimit: 10}, "--pids-limit"},
		{"cpus", Resources{CPUs: 1}, "--cpus"},
		{"cpu shares", Resources{CPUShares: 512}, "--cpu-shares"},
		{"swap", Resources{MemorySwap: -1}, "--memory-swap"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Unlimited(tt.r)
			got := ""
			var e *noCgroupError
			if errors.As(err, &e) {
				got = e.flag
			} else if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if got != tt.want {
				t.Errorf("refused flag %q, want %q", got, tt.want)
			}
		})
	}
}
