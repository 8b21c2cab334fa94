//go:build linux

package e2e

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// statsRow is one line of `pocket stats --format json`, docker/cli's keys.
type statsRow struct {
	BlockIO, CPUPerc, Container, ID, MemPerc, MemUsage, Name, NetIO, PIDs string
}

// TestStats: --no-stream shows a -m 64m container's memory limit and its
// process count, read from its cgroup (v1 here, v2 in make test-vm), in
// Docker's table, JSON and templates.
func TestStats(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "run", "-d", "--name", "st", "--network", "none", "-m", "64m", "busybox", "sh", "-c", "sleep 1000 & exec sleep 1000")
	defer pocket(t, root, "rm", "-f", "st")
	var row statsRow
	eventually(t, "stats shows both processes", func() bool {
		out := mustPocket(t, root, "stats", "--no-stream", "--format", "json", "st").Stdout
		if err := json.Unmarshal([]byte(out), &row); err != nil {
			t.Fatalf("stats --format json printed %q: %v", out, err)
		}
		return row.PIDs == "2"
	})
	if row.Name != "st" || row.Container != "st" || len(row.ID) != 12 {
		t.Errorf("stats row %+v: want name and container st, a 12-character ID", row)
	}
	if !strings.HasSuffix(row.MemUsage, " / 64MiB") || row.MemUsage == "0B / 64MiB" {
		t.Errorf("MEM USAGE / LIMIT %q, want a usage over 64MiB", row.MemUsage)
	}
	for _, v := range []string{row.CPUPerc, row.MemPerc} {
		if !strings.HasSuffix(v, "%") {
			t.Errorf("percentage %q", v)
		}
	}
	if !strings.Contains(row.NetIO, " / ") || !strings.Contains(row.BlockIO, " / ") {
		t.Errorf("NET I/O %q, BLOCK I/O %q", row.NetIO, row.BlockIO)
	}

	table := lines(mustPocket(t, root, "stats", "--no-stream").Stdout)
	if len(table) != 2 || strings.Join(strings.Fields(table[0]), " ") != "CONTAINER ID NAME CPU % MEM USAGE / LIMIT MEM % NET I/O BLOCK I/O PIDS" {
		t.Errorf("stats --no-stream printed %q", table)
	} else if f := strings.Fields(table[1]); len(f) < 2 || f[1] != "st" || !strings.Contains(table[1], "/ 64MiB") {
		t.Errorf("stats row %q", table[1])
	}
	out := mustPocket(t, root, "stats", "--no-stream", "--no-trunc", "--format", "{{.Name}} {{.ID}} {{.PIDs}}", "st").Stdout
	if f := strings.Fields(out); len(f) != 3 || f[0] != "st" || len(f[1]) != 64 || f[2] != "2" {
		t.Errorf("stats --format template printed %q", out)
	}

	// CPU %: a busy loop uses some CPU in the second --no-stream samples.
	mustPocket(t, root, "run", "-d", "--name", "busy", "--network", "none", "busybox", "sh", "-c", "while :; do :; done")
	defer pocket(t, root, "rm", "-f", "busy")
	cpu := strings.TrimSpace(mustPocket(t, root, "stats", "--no-stream", "--format", "{{.CPUPerc}}", "busy").Stdout)
	if v, err := strconv.ParseFloat(strings.TrimSuffix(cpu, "%"), 64); err != nil || v <= 0 {
		t.Errorf("CPU %% of a busy loop: %q", cpu)
	}

	// Stopped containers only with -a, with zeros.
	mustPocket(t, root, "run", "--name", "done", "--network", "none", "busybox", "true")
	if out := mustPocket(t, root, "stats", "--no-stream", "--format", "{{.Name}}").Stdout; strings.Contains(out, "done") {
		t.Errorf("stats without -a lists a stopped container: %q", out)
	}
	if out := mustPocket(t, root, "stats", "-a", "--no-stream", "--format", "{{.Name}} {{.PIDs}}").Stdout; !strings.Contains(out, "done 0") {
		t.Errorf("stats -a printed %q, want the stopped container with 0 PIDS", out)
	}
	if r := pocket(t, root, "stats", "--no-stream", "nothere"); r.Code != 1 || !strings.Contains(strings.ToLower(r.Stderr), "no such container: nothere") {
		t.Errorf("stats of a missing container: %s", r)
	}
}
