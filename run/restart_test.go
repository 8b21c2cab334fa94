package run

import (
	"testing"
	"time"

	"pocket/plan"
)

func TestRestartPolicyAgain(t *testing.T) {
	for _, tc := range []struct {
		policy      plan.RestartPolicy
		code, count int
		want        bool
	}{
		{plan.RestartPolicy{Name: "no"}, 1, 0, false},
		{plan.RestartPolicy{Name: "always"}, 0, 100, true},
		{plan.RestartPolicy{Name: "unless-stopped"}, 0, 0, true},
		{plan.RestartPolicy{Name: "on-failure"}, 0, 0, false},
		{plan.RestartPolicy{Name: "on-failure"}, 1, 100, true},
		{plan.RestartPolicy{Name: "on-failure", MaximumRetryCount: 2}, 1, 1, true},
		{plan.RestartPolicy{Name: "on-failure", MaximumRetryCount: 2}, 1, 2, false},
		{plan.RestartPolicy{}, 1, 0, false},
	} {
		if got := restartPolicy(tc.policy).again(tc.code, tc.count); got != tc.want {
			t.Errorf("%+v.again(%d, %d) = %v, want %v", tc.policy, tc.code, tc.count, got, tc.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	var b backoff
	short := time.Second
	var got []time.Duration
	for range 4 {
		got = append(got, b.next(short))
	}
	got = append(got, b.next(steadyRun)) // a steady run starts again
	for range 12 {
		b.next(short)
	}
	got = append(got, b.next(short)) // capped
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 100 * time.Millisecond, time.Minute}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("delays %v, want %v", got, want)
			break
		}
	}
}
