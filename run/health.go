package run

import (
	"fmt"
	"os"
	"sync"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// healthFile is a running container's health (State.Health), written by
// its monitor alone, apart from state.json so that the two writers of
// state.json over a container's life never race with it.
const healthFile = "health.json"

// Health statuses, as Docker names them.
const (
	healthStarting  = "starting"
	healthHealthy   = "healthy"
	healthUnhealthy = "unhealthy"
	healthNone      = "none" // ps --filter health=none: no healthcheck
)

// Docker's defaults for a healthcheck's unset fields, and what it keeps.
const (
	defaultHealthInterval = 30 * time.Second
	defaultHealthTimeout  = 30 * time.Second
	defaultHealthRetries  = 3
	maxHealthLog          = 5
	maxHealthOutput       = 4096
)

// Health is inspect's State.Health.
type Health struct {
	Status        string      `json:"Status"`
	FailingStreak int         `json:"FailingStreak"`
	Log           []HealthLog `json:"Log"`
}

// HealthLog is one probe's result.
type HealthLog struct {
	Start    time.Time `json:"Start"`
	End      time.Time `json:"End"`
	ExitCode int       `json:"ExitCode"`
	Output   string    `json:"Output"`
}

// prober runs a command in the container, killed after timeout, and
// returns its status (-1 when it timed out) and the start of its output.
type prober func(args []string, timeout time.Duration) (code int, output string)

// healthArgs is the probe's command: CMD's arguments, or CMD-SHELL's
// command for /bin/sh -c (Docker's default shell on Linux).
func healthArgs(h *v1.HealthConfig) []string {
	if h.Test[0] == "CMD-SHELL" {
		return []string{"/bin/sh", "-c", h.Test[1]}
	}
	return h.Test[1:]
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// startHealth runs h's probe every interval in the container whose
// directory is dir, as Docker's daemon does, from the monitor, until
// stop; wait returns once the last probe is over.
func startHealth(dir string, h *v1.HealthConfig, probe prober, startedAt time.Time) (stop, wait func()) {
	if h == nil {
		os.Remove(dirFile(dir, healthFile))
		return func() {}, func() {}
	}
	interval := orDefault(h.Interval, defaultHealthInterval)
	timeout := orDefault(h.Timeout, defaultHealthTimeout)
	retries := h.Retries
	if retries <= 0 {
		retries = defaultHealthRetries
	}
	args := healthArgs(h)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		health := Health{Status: healthStarting, Log: []HealthLog{}}
		writeJSON(dir, healthFile, &health)
		t := time.NewTimer(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			start := time.Now().UTC()
			code, out := probe(args, timeout)
			select {
			case <-done:
				// The container ended under the probe: not its result.
				return
			default:
			}
			if code == -1 {
				out = fmt.Sprintf("Health check exceeded timeout (%v)", timeout)
			}
			health.record(HealthLog{Start: start, End: time.Now().UTC(), ExitCode: code, Output: out}, retries, start.Sub(startedAt) < h.StartPeriod)
			writeJSON(dir, healthFile, &health)
			t.Reset(interval)
		}
	}()
	return func() { close(done) }, wg.Wait
}

// record applies one probe's result as Docker's handleProbeResult does:
// a success makes the container healthy; a failure counts, unless the
// container has never been healthy and is still in its start period,
// and retries failures in a row make it unhealthy.
func (h *Health) record(l HealthLog, retries int, inStartPeriod bool) {
	h.Log = append(h.Log, l)
	if len(h.Log) > maxHealthLog {
		h.Log = h.Log[len(h.Log)-maxHealthLog:]
	}
	if l.ExitCode == 0 {
		h.FailingStreak = 0
		h.Status = healthHealthy
		return
	}
	if h.Status == healthStarting && inStartPeriod {
		return
	}
	h.FailingStreak++
	if h.FailingStreak >= retries {
		h.Status = healthUnhealthy
	}
}

// readHealth is c's health while it runs with a healthcheck, else nil.
func readHealth(c *container) *Health {
	if c.spec.Healthcheck == nil || c.state.Status != statusRunning {
		return nil
	}
	var h Health
	if err := readJSON(c.dir, healthFile, &h); err != nil || h.Status == "" {
		return &Health{Status: healthStarting, Log: []HealthLog{}}
	}
	return &h
}

// healthStatus is what ps shows and filters: none without a healthcheck.
func healthStatus(c *container) string {
	if h := readHealth(c); h != nil {
		return h.Status
	}
	return healthNone
}

// healthSuffix is ps STATUS's addition for a running container.
func healthSuffix(status string) string {
	switch status {
	case healthStarting:
		return " (health: starting)"
	case healthHealthy, healthUnhealthy:
		return " (" + status + ")"
	}
	return ""
}

func dirFile(dir, name string) string { return dir + "/" + name }
