//go:build linux

package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// healthOf is inspect's State.Health of a container (nil for none).
func healthOf(t *testing.T, root, name string) *struct {
	Status        string
	FailingStreak int
	Log           []struct {
		ExitCode int
		Output   string
	}
} {
	t.Helper()
	var in []struct {
		State struct {
			Health *struct {
				Status        string
				FailingStreak int
				Log           []struct {
					ExitCode int
					Output   string
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(mustPocket(t, root, "inspect", name).Stdout), &in); err != nil {
		t.Fatal(err)
	}
	return in[0].State.Health
}

// healthPsStatus is ps's STATUS of the running container name.
func healthPsStatus(t *testing.T, root, name string) string {
	t.Helper()
	return strings.TrimSpace(mustPocket(t, root, "ps", "--filter", "name=^"+name+"$", "--format", "{{.Status}}").Stdout)
}

// TestHealthcheck: --health-* and the image's HEALTHCHECK run by the
// monitor through exec; healthy, unhealthy and starting in ps, inspect
// and ps --filter health=.
func TestHealthcheck(t *testing.T) {
	root := newRoot(t)
	t.Run("healthy to unhealthy and back", func(t *testing.T) {
		startContainer(t, root, "hc", "--health-cmd", "test ! -e /tmp/bad && echo fine", "--health-interval", "50ms", "--health-retries", "2")
		waitFor(t, "healthy", func() bool { return strings.HasSuffix(healthPsStatus(t, root, "hc"), "(healthy)") })
		h := healthOf(t, root, "hc")
		if h == nil || h.Status != "healthy" || h.FailingStreak != 0 || len(h.Log) == 0 || h.Log[len(h.Log)-1].Output != "fine\n" {
			t.Errorf("inspect State.Health of a healthy container: %+v", h)
		}
		mustPocket(t, root, "exec", "hc", "touch", "/tmp/bad")
		waitFor(t, "unhealthy", func() bool { return strings.HasSuffix(healthPsStatus(t, root, "hc"), "(unhealthy)") })
		h = healthOf(t, root, "hc")
		if h.Status != "unhealthy" || h.FailingStreak < 2 || h.Log[len(h.Log)-1].ExitCode != 1 || len(h.Log) > 5 {
			t.Errorf("inspect State.Health of an unhealthy container: %+v", h)
		}
		if got := mustPocket(t, root, "ps", "--filter", "health=unhealthy", "--format", "{{.Names}}").Stdout; got != "hc\n" {
			t.Errorf("ps --filter health=unhealthy: %q", got)
		}
		if got := mustPocket(t, root, "ps", "--filter", "name=hc", "--filter", "health=healthy", "-q").Stdout; got != "" {
			t.Errorf("ps --filter health=healthy lists the unhealthy container: %q", got)
		}
		mustPocket(t, root, "exec", "hc", "rm", "/tmp/bad")
		waitFor(t, "healthy again", func() bool { return strings.HasSuffix(healthPsStatus(t, root, "hc"), "(healthy)") })
	})
	t.Run("starting", func(t *testing.T) {
		startContainer(t, root, "slow", "--health-cmd", "true", "--health-interval", "1h")
		if got := healthPsStatus(t, root, "slow"); !strings.HasSuffix(got, "(health: starting)") {
			t.Errorf("ps STATUS %q, want (health: starting)", got)
		}
		if got := mustPocket(t, root, "ps", "--filter", "health=starting", "--format", "{{.Names}}").Stdout; got != "slow\n" {
			t.Errorf("ps --filter health=starting: %q", got)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		startContainer(t, root, "hang", "--health-cmd", "sleep 100", "--health-interval", "50ms", "--health-timeout", "100ms", "--health-retries", "1")
		waitFor(t, "unhealthy", func() bool { return strings.HasSuffix(healthPsStatus(t, root, "hang"), "(unhealthy)") })
		h := healthOf(t, root, "hang")
		if l := h.Log[len(h.Log)-1]; l.ExitCode != -1 || l.Output != "Health check exceeded timeout (100ms)" {
			t.Errorf("timed-out probe's log: %+v", l)
		}
	})
	t.Run("image HEALTHCHECK", func(t *testing.T) {
		pushImage(t, "healthy", func(c *v1.Config) {
			c.Healthcheck = &v1.HealthConfig{Test: []string{"CMD", "true"}, Interval: 50 * time.Millisecond}
		})
		mustPocket(t, root, "run", "-d", "--name", "img", "--network", "none", "healthy", "sleep", "1000")
		t.Cleanup(func() { pocket(t, root, "rm", "-f", "img") })
		waitFor(t, "healthy", func() bool { return strings.HasSuffix(healthPsStatus(t, root, "img"), "(healthy)") })
		mustPocket(t, root, "run", "-d", "--name", "nohc", "--no-healthcheck", "--network", "none", "healthy", "sleep", "1000")
		t.Cleanup(func() { pocket(t, root, "rm", "-f", "nohc") })
		if h := healthOf(t, root, "nohc"); h != nil {
			t.Errorf("--no-healthcheck: State.Health %+v", h)
		}
		if got := mustPocket(t, root, "ps", "--filter", "health=none", "--filter", "name=nohc", "--format", "{{.Names}}").Stdout; got != "nohc\n" {
			t.Errorf("ps --filter health=none: %q", got)
		}
	})
	t.Run("conflicting flags", func(t *testing.T) {
		r := pocket(t, root, "run", "--no-healthcheck", "--health-cmd", "true", "busybox", "true")
		if r.Code != 125 || !strings.Contains(r.Stderr, "--no-healthcheck conflicts with --health-* options") {
			t.Errorf("--no-healthcheck with --health-cmd:\n%s", r)
		}
	})
}
