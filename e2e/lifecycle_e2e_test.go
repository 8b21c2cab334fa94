//go:build linux

package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"pocket/cgroup"
)

// containerInfo is what the lifecycle tests read of `pocket inspect`.
type containerInfo struct {
	ID    string `json:"Id"`
	Name  string
	State struct {
		Status                      string
		Running, Paused, Restarting bool
		ExitCode                    int
		StartedAt                   string
	}
	RestartCount int
	Config       struct {
		Labels      map[string]string
		StopSignal  string
		StopTimeout *int
	}
	HostConfig struct {
		RestartPolicy struct {
			Name              string
			MaximumRetryCount int
		}
	}
}

func inspectContainer(t *testing.T, inspect func() result) containerInfo {
	t.Helper()
	r := inspect()
	var out []containerInfo
	if err := json.Unmarshal([]byte(r.Stdout), &out); err != nil || len(out) != 1 {
		t.Fatalf("inspect: %v\n%s", err, r)
	}
	return out[0]
}

var fullID = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestCreateStart(t *testing.T) {
	root := newRoot(t)
	info := func(name string) containerInfo {
		return inspectContainer(t, func() result { return mustPocket(t, root, "inspect", name) })
	}
	id := strings.TrimSpace(mustPocket(t, root, "create", "--name", "cc", "--network", "none", "busybox", "sh", "-c", "echo hello; exit 3").Stdout)
	if !fullID.MatchString(id) {
		t.Fatalf("create printed %q, want the container ID", id)
	}
	if st := info("cc").State.Status; st != "created" {
		t.Errorf("created container: status %q", st)
	}
	if r := mustPocket(t, root, "start", "cc"); r.Stdout != "cc\n" {
		t.Errorf("start printed %q, want the name as given", r.Stdout)
	}
	if r := mustPocket(t, root, "wait", "cc"); strings.TrimSpace(r.Stdout) != "3" {
		t.Errorf("wait: %s", r)
	}
	if r := mustPocket(t, root, "logs", "cc"); r.Stdout != "hello\n" {
		t.Errorf("logs after start: %q", r.Stdout)
	}
	first := info("cc").State.StartedAt

	t.Run("start -a", func(t *testing.T) {
		r := pocket(t, root, "start", "-a", "cc")
		if r.Code != 3 || r.Stdout != "hello\n" {
			t.Errorf("start -a: want the output and status 3, got %s", r)
		}
		if info("cc").State.StartedAt == first {
			t.Errorf("start -a did not start the container again (StartedAt %s)", first)
		}
	})
	t.Run("start -ai", func(t *testing.T) {
		mustPocket(t, root, "create", "-i", "--name", "cat", "--network", "none", "busybox", "cat")
		cmd := pocketCmd(t, root, "start", "-ai", "cat")
		cmd.Stdin = strings.NewReader("through stdin\n")
		r := runToEnd(t, cmd, "start -ai")
		if r.Code != 0 || r.Stdout != "through stdin\n" {
			t.Errorf("start -ai: %s", r)
		}
	})
	t.Run("errors", func(t *testing.T) {
		r := pocket(t, root, "start", "nope", "cc")
		if r.Code != 1 || !strings.Contains(r.Stderr, "Error: failed to start containers: nope") || r.Stdout != "cc\n" {
			t.Errorf("start of a missing container: want exit 1 naming it, the other started, got %s", r)
		}
		mustPocket(t, root, "wait", "cc")
		mustPocket(t, root, "create", "--name", "bad", "--network", "none", "busybox", "/no/such")
		if r := pocket(t, root, "start", "-a", "bad"); r.Code != 127 {
			t.Errorf("start -a of a missing command: want 127, got %s", r)
		}
		if r := pocket(t, root, "create", "-d", "busybox"); r.Code != 125 {
			t.Errorf("create -d: want 125 (no such flag), got %s", r)
		}
	})
}

func TestRestartCommand(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "run", "-d", "--name", "rr", "--network", "none", "busybox", "sleep", "1000")
	info := func() containerInfo {
		return inspectContainer(t, func() result { return mustPocket(t, root, "inspect", "rr") })
	}
	before := info().State.StartedAt
	if r := mustPocket(t, root, "restart", "-t", "1", "rr"); r.Stdout != "rr\n" {
		t.Errorf("restart printed %q", r.Stdout)
	}
	after := info()
	if !after.State.Running || after.State.StartedAt == before {
		t.Errorf("after restart: running %v, StartedAt %s (was %s)", after.State.Running, after.State.StartedAt, before)
	}
	mustPocket(t, root, "rm", "-f", "rr")
}

// freezerState is the kernel's freezer state of a container's cgroup:
// FROZEN or THAWED (v1's freezer.state; v2's cgroup.events "frozen").
func freezerState(t *testing.T, parent, id string) string {
	t.Helper()
	for _, d := range containerCgroupDirs(t, parent, id) {
		if cgroup.Unified() {
			b, err := os.ReadFile(filepath.Join(d, "cgroup.events"))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), "frozen 1") {
				return "FROZEN"
			}
			return "THAWED"
		}
		if b, err := os.ReadFile(filepath.Join(d, "freezer.state")); err == nil {
			return strings.TrimSpace(string(b))
		}
	}
	t.Fatalf("container %s has no freezer cgroup", id)
	return ""
}

// counterScript counts for ever into /tmp/n, which the host reads in
// the container's upper directory.
const counterScript = "i=0; while true; do i=$((i+1)); echo $i > /tmp/n.new; mv /tmp/n.new /tmp/n; done"

func checkPause(t *testing.T, root, parent string, pocket func(args ...string) result) {
	t.Helper()
	must := mustSucceed(t, "pocket", pocket)
	id := strings.TrimSpace(must("run", "-d", "--name", "count", "--network", "none", "busybox", "sh", "-c", counterScript).Stdout)
	counter := filepath.Join(root, "containers", id, "upper", "tmp", "n")
	read := func() string {
		b, _ := os.ReadFile(counter)
		return string(b)
	}
	eventually(t, "counting", func() bool { return read() != "" })
	if r := must("pause", "count"); r.Stdout != "count\n" {
		t.Errorf("pause printed %q", r.Stdout)
	}
	if st := freezerState(t, parent, id); st != "FROZEN" {
		t.Errorf("paused container's freezer: %s", st)
	}
	// Frozen, the counter cannot move: read it twice around a ps and an
	// inspect.
	n := read()
	info := inspectContainer(t, func() result { return must("inspect", "count") })
	if !info.State.Paused || info.State.Status != "paused" || !info.State.Running {
		t.Errorf("inspect of a paused container: %+v", info.State)
	}
	ps := must("ps", "--format", "{{.Names}} {{.Status}} {{.State}}").Stdout
	if !strings.Contains(ps, "(Paused) paused") {
		t.Errorf("ps of a paused container: %q", ps)
	}
	if got := read(); got != n {
		t.Errorf("the counter went on while paused: %q then %q", n, got)
	}
	if r := pocket("pause", "count"); r.Code != 1 || !strings.Contains(r.Stderr, "is already paused") {
		t.Errorf("pause of a paused container: %s", r)
	}
	must("unpause", "count")
	if st := freezerState(t, parent, id); st != "THAWED" {
		t.Errorf("unpaused container's freezer: %s", st)
	}
	eventually(t, "counting again", func() bool { return read() != n })
	if r := pocket("unpause", "count"); r.Code != 1 || !strings.Contains(r.Stderr, "is not paused") {
		t.Errorf("unpause of a running container: %s", r)
	}
	// Stopped while paused, as Docker: it is thawed to take the signal.
	must("pause", "count")
	must("stop", "-t", "1", "count")
	if info := inspectContainer(t, func() result { return must("inspect", "count") }); info.State.Status != "exited" {
		t.Errorf("stop of a paused container: %+v", info.State)
	}
	if r := pocket("pause", "count"); r.Code != 1 || !strings.Contains(r.Stderr, "is not running") {
		t.Errorf("pause of a stopped container: %s", r)
	}
	// kill -9 of a paused one ends it too (cgroup v1 holds even SIGKILL
	// until the thaw).
	must("start", "count")
	must("pause", "count")
	must("kill", "count")
	must("wait", "count")
	checkNoCgroup(t, parent, id, "kill of a paused container")
}

func TestPause(t *testing.T) {
	root := newRoot(t)
	checkPause(t, root, "", func(args ...string) result { return pocket(t, root, args...) })
	t.Run("commit -p", func(t *testing.T) {
		mustPocket(t, root, "run", "-d", "--name", "live", "--network", "none", "busybox", "sh", "-c", counterScript)
		mustPocket(t, root, "commit", "live", "snap")
		// The committed counter is one moment's: a whole number.
		r := mustPocket(t, root, "run", "--rm", "--network", "none", "snap", "cat", "/tmp/n")
		if !regexp.MustCompile(`^[0-9]+\n$`).MatchString(r.Stdout) {
			t.Errorf("committed counter: %q", r.Stdout)
		}
		info := inspectContainer(t, func() result { return mustPocket(t, root, "inspect", "live") })
		if info.State.Paused {
			t.Errorf("commit -p left the container paused")
		}
		mustPocket(t, root, "rm", "-f", "live")
	})
}

func TestRootlessPause(t *testing.T) {
	if !cgroup.Unified() {
		t.Skip("cgroup v1 cannot be delegated to a user; make test-vm runs this on cgroup v2")
	}
	e := newRootlessEnv(t, userNoSubIDs)
	parent := delegate(t, e.user, "pause")
	e.cgroup = openScope(t, parent)
	checkPause(t, e.store(), parent, func(args ...string) result { return e.pocket(t, args...) })
}

func TestRename(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "run", "-d", "--name", "old", "--network", "none", "busybox", "sleep", "1000")
	mustPocket(t, root, "create", "--name", "other", "--network", "none", "busybox")
	if r := mustPocket(t, root, "rename", "old", "new"); r.Stdout != "" {
		t.Errorf("rename printed %q", r.Stdout)
	}
	if r := mustPocket(t, root, "ps", "--format", "{{.Names}}"); r.Stdout != "new\n" {
		t.Errorf("ps after rename: %q", r.Stdout)
	}
	if info := inspectContainer(t, func() result { return mustPocket(t, root, "inspect", "new") }); info.Name != "/new" {
		t.Errorf("inspect after rename: Name %q", info.Name)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"new", "other"}, `The container name "/other" is already in use by container`},
		{[]string{"new", "new"}, "Renaming a container with the same name as its current name"},
		{[]string{"new", "bad/name"}, "Invalid container name (bad/name)"},
		{[]string{"old", "xx"}, "no such container: old"},
		{[]string{"new"}, "'pocket rename' requires 2 arguments"},
	} {
		if r := pocket(t, root, append([]string{"rename"}, tc.args...)...); r.Code != 1 || !strings.Contains(r.Stderr, tc.want) {
			t.Errorf("rename %v: want exit 1 with %q, got %s", tc.args, tc.want, r)
		}
	}
	// The old name is free again.
	mustPocket(t, root, "create", "--name", "old", "--network", "none", "busybox")
	mustPocket(t, root, "rm", "-f", "new")
}

func checkRestartPolicies(t *testing.T, pocket func(args ...string) result) {
	t.Helper()
	must := mustSucceed(t, "pocket", pocket)
	info := func(name string) containerInfo {
		return inspectContainer(t, func() result { return must("inspect", name) })
	}
	t.Run("on-failure:2", func(t *testing.T) {
		must("run", "-d", "--name", "fail", "--network", "none", "--restart", "on-failure:2", "busybox", "sh", "-c", "echo run; exit 3")
		eventually(t, "exited after two restarts", func() bool {
			i := info("fail")
			return i.State.Status == "exited" && i.RestartCount == 2
		})
		i := info("fail")
		if i.State.ExitCode != 3 || i.HostConfig.RestartPolicy.Name != "on-failure" || i.HostConfig.RestartPolicy.MaximumRetryCount != 2 {
			t.Errorf("after on-failure:2: %+v", i)
		}
		if r := must("logs", "fail"); r.Stdout != "run\nrun\nrun\n" {
			t.Errorf("three runs, want three lines, got %q", r.Stdout)
		}
	})
	t.Run("on-failure success", func(t *testing.T) {
		must("run", "-d", "--name", "ok", "--network", "none", "--restart", "on-failure", "busybox", "true")
		must("wait", "ok")
		eventually(t, "exited", func() bool { return info("ok").State.Status == "exited" })
		if i := info("ok"); i.RestartCount != 0 {
			t.Errorf("on-failure restarted a success: RestartCount %d", i.RestartCount)
		}
	})
	t.Run("always", func(t *testing.T) {
		must("run", "-d", "--name", "always", "--network", "none", "--restart", "always", "busybox", "sh", "-c", "echo run; sleep 0.1")
		eventually(t, "restarted twice", func() bool { return info("always").RestartCount >= 2 })
		must("stop", "-t", "1", "always")
		i := info("always")
		if i.State.Status != "exited" {
			t.Errorf("stop of an always container: %+v", i.State)
		}
		// Stopped, it stays stopped: its monitor is gone (ps -q without
		// -a lists nothing, and the count no longer moves).
		if r := must("ps", "-q"); r.Stdout != "" {
			t.Errorf("after stop, still listed as running: %q", r.Stdout)
		}
		if again := info("always"); again.RestartCount != i.RestartCount || again.State.Status != "exited" {
			t.Errorf("restarted after stop: %+v then %+v", i, again)
		}
	})
	t.Run("refused", func(t *testing.T) {
		for _, tc := range []struct {
			flags []string
			want  string
		}{
			{[]string{"--restart", "sometimes"}, "invalid restart policy: unknown policy 'sometimes'"},
			{[]string{"--restart", "always:3"}, "maximum retry count can only be used with 'on-failure'"},
			{[]string{"--restart", "on-failure:x"}, "maximum retry count must be an integer"},
			{[]string{"--restart", "always", "--rm"}, "cannot specify both --restart and --rm"},
		} {
			r := pocket(append(append([]string{"run"}, tc.flags...), "busybox", "true")...)
			if r.Code != 125 || !strings.Contains(r.Stderr, tc.want) {
				t.Errorf("run %v: want 125 with %q, got %s", tc.flags, tc.want, r)
			}
		}
	})
}

func TestRestartPolicy(t *testing.T) {
	root := newRoot(t)
	checkRestartPolicies(t, func(args ...string) result { return pocket(t, root, args...) })
}

func TestRootlessRestartPolicy(t *testing.T) {
	e := newRootlessEnv(t, userWithSubIDs)
	checkRestartPolicies(t, func(args ...string) result { return e.pocket(t, args...) })
}

func TestCIDFile(t *testing.T) {
	root := newRoot(t)
	cid := filepath.Join(t.TempDir(), "cid")
	id := strings.TrimSpace(mustPocket(t, root, "run", "-d", "--cidfile", cid, "--network", "none", "busybox", "sleep", "1000").Stdout)
	if b, err := os.ReadFile(cid); err != nil || string(b) != id {
		t.Errorf("cidfile: %q, %v; want %s", b, err, id)
	}
	r := pocket(t, root, "run", "-d", "--cidfile", cid, "--network", "none", "busybox", "true")
	if r.Code != 125 || !strings.Contains(r.Stderr, "container ID file found, make sure the other container isn't running or delete "+cid) {
		t.Errorf("run with an existing cidfile: %s", r)
	}
	if r := mustPocket(t, root, "ps", "-aq"); len(lines(r.Stdout)) != 1 {
		t.Errorf("the refused run made a container: %q", r.Stdout)
	}
	// A create that fails leaves no cidfile behind.
	other := filepath.Join(t.TempDir(), "cid")
	if r := pocket(t, root, "create", "--cidfile", other, "--network", "none", "nosuchimage"); r.Code != 125 {
		t.Errorf("create of a missing image: %s", r)
	}
	if _, err := os.Stat(other); !os.IsNotExist(err) {
		t.Errorf("a failed create left its cidfile: %v", err)
	}
	mustPocket(t, root, "rm", "-f", id)
}

func TestLabels(t *testing.T) {
	root := newRoot(t)
	file := filepath.Join(t.TempDir(), "labels")
	if err := os.WriteFile(file, []byte("# comment\nteam=infra\n\nshared=from-file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustPocket(t, root, "create", "--name", "ll", "--label-file", file, "-l", "shared=from-flag", "-l", "empty", "busybox")
	mustPocket(t, root, "create", "--name", "other", "-l", "team=web", "busybox")
	info := inspectContainer(t, func() result { return mustPocket(t, root, "inspect", "ll") })
	want := map[string]string{"team": "infra", "shared": "from-flag", "empty": ""}
	if len(info.Config.Labels) != len(want) {
		t.Errorf("Config.Labels = %v, want %v", info.Config.Labels, want)
	}
	for k, v := range want {
		if info.Config.Labels[k] != v {
			t.Errorf("Config.Labels[%s] = %q, want %q", k, info.Config.Labels[k], v)
		}
	}
	for filter, want := range map[string]string{
		"label=team=infra": "ll\n", "label=team": "other\nll\n", "label=empty": "ll\n", "label=team=nope": "",
	} {
		if r := mustPocket(t, root, "ps", "-a", "--filter", filter, "--format", "{{.Names}}"); r.Stdout != want {
			t.Errorf("ps --filter %s: %q, want %q", filter, r.Stdout, want)
		}
	}
	if r := mustPocket(t, root, "ps", "-a", "--filter", "name=^ll$", "--format", "{{.Labels}}"); r.Stdout != "empty=,shared=from-flag,team=infra\n" {
		t.Errorf("ps {{.Labels}}: %q", r.Stdout)
	}
	if r := pocket(t, root, "create", "-l", "=x", "busybox"); r.Code != 125 || !strings.Contains(r.Stderr, "invalid label '=x': empty name") {
		t.Errorf("create -l =x: %s", r)
	}
}

func TestStopSignalAndTimeout(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "run", "-d", "--name", "trap", "--network", "none", "--stop-signal", "USR1", "busybox", "sh", "-c",
		`trap 'echo got usr1; exit 0' USR1; echo ready; while true; do sleep 0.1; done`)
	eventually(t, "ready", func() bool { return strings.Contains(mustPocket(t, root, "logs", "trap").Stdout, "ready") })
	mustPocket(t, root, "stop", "trap")
	info := inspectContainer(t, func() result { return mustPocket(t, root, "inspect", "trap") })
	if logs := mustPocket(t, root, "logs", "trap").Stdout; !strings.Contains(logs, "got usr1") || info.State.ExitCode != 0 || info.Config.StopSignal != "USR1" {
		t.Errorf("stop with --stop-signal USR1: logs %q, exit %d, StopSignal %q", logs, info.State.ExitCode, info.Config.StopSignal)
	}
	// stop -s overrides it.
	mustPocket(t, root, "start", "trap")
	eventually(t, "ready again", func() bool { return strings.Count(mustPocket(t, root, "logs", "trap").Stdout, "ready") == 2 })
	mustPocket(t, root, "stop", "-s", "KILL", "trap")
	if info := inspectContainer(t, func() result { return mustPocket(t, root, "inspect", "trap") }); info.State.ExitCode != 137 {
		t.Errorf("stop -s KILL: exit %d, want 137", info.State.ExitCode)
	}
	// --stop-timeout: a container that ignores the signal is killed once
	// it is over, without -t.
	mustPocket(t, root, "run", "-d", "--name", "deaf", "--network", "none", "--stop-timeout", "1", "busybox", "sh", "-c",
		`trap '' TERM; echo ready; while true; do sleep 0.1; done`)
	eventually(t, "ready", func() bool { return strings.Contains(mustPocket(t, root, "logs", "deaf").Stdout, "ready") })
	mustPocket(t, root, "stop", "deaf")
	info = inspectContainer(t, func() result { return mustPocket(t, root, "inspect", "deaf") })
	if info.State.ExitCode != 137 || info.Config.StopTimeout == nil || *info.Config.StopTimeout != 1 {
		t.Errorf("stop after --stop-timeout 1: exit %d, StopTimeout %v", info.State.ExitCode, info.Config.StopTimeout)
	}
	if r := pocket(t, root, "run", "--stop-signal", "NOPE", "busybox", "true"); r.Code != 125 || !strings.Contains(r.Stderr, "invalid signal") {
		t.Errorf("run --stop-signal NOPE: %s", r)
	}
}

func checkUlimitGroupAdd(t *testing.T, runOut func(args ...string) string) {
	t.Helper()
	if got := runOut("--ulimit", "nofile=512:1024", "busybox", "sh", "-c", "ulimit -n; ulimit -Hn"); got != "512\n1024" {
		t.Errorf("--ulimit nofile=512:1024: ulimit -n, -Hn say %q", got)
	}
	if got := runOut("--ulimit", "nproc=77", "busybox", "sh", "-c", "ulimit -u"); got != "77" {
		t.Errorf("--ulimit nproc=77: ulimit -u says %q", got)
	}
	got := runOut("--group-add", "4321", "--group-add", "staff", "-u", "app", "busybox", "id")
	if !strings.Contains(got, "groups=") || !strings.Contains(got, "4321") || !strings.Contains(got, "50(staff)") || !strings.Contains(got, "2000(extra)") {
		t.Errorf("--group-add 4321 --group-add staff -u app: id says %q", got)
	}
}

func TestUlimitGroupAdd(t *testing.T) {
	root := newRoot(t)
	checkUlimitGroupAdd(t, func(args ...string) string {
		return strings.TrimSpace(mustPocket(t, root, append([]string{"run", "--rm", "--network", "none"}, args...)...).Stdout)
	})
	for _, tc := range []struct {
		flags []string
		want  string
	}{
		{[]string{"--ulimit", "nofile=2048:1024"}, "soft limit must be less than or equal to hard limit"},
		{[]string{"--ulimit", "bogus=1"}, "invalid ulimit type: bogus"},
		{[]string{"--ulimit", "nofile"}, "invalid ulimit argument: nofile"},
	} {
		r := pocket(t, root, append(append([]string{"run", "--rm"}, tc.flags...), "busybox", "true")...)
		if r.Code != 125 || !strings.Contains(r.Stderr, tc.want) {
			t.Errorf("run %v: want 125 with %q, got %s", tc.flags, tc.want, r)
		}
	}
	if r := pocket(t, root, "run", "--rm", "--network", "none", "--group-add", "nosuchgroup", "busybox", "true"); r.Code != 125 || !strings.Contains(r.Stderr, "unable to find group nosuchgroup") {
		t.Errorf("--group-add nosuchgroup: %s", r)
	}
}

func TestRootlessUlimitGroupAdd(t *testing.T) {
	e := newRootlessEnv(t, userWithSubIDs)
	checkUlimitGroupAdd(t, func(args ...string) string {
		return e.runOut(t, append([]string{"--network", "none"}, args...)...)
	})
	// Above the user's own hard limit: refused before anything starts.
	r := e.pocket(t, "run", "--rm", "--network", "none", "--ulimit", "nofile=1024:1073741816", "busybox", "true")
	if r.Code != 125 || !strings.Contains(r.Stderr, "rootless pocket cannot raise") {
		t.Errorf("rootless --ulimit above the hard limit: %s", r)
	}
}

func TestLogsTimestampsSince(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "run", "--name", "ll", "--network", "none", "busybox", "sh", "-c", "echo one; echo two >&2")
	r := mustPocket(t, root, "logs", "-t", "ll")
	stamp := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (one|two)$`)
	got := lines(r.Stdout + r.Stderr)
	if len(got) != 2 {
		t.Fatalf("logs -t: %s", r)
	}
	for _, l := range got {
		if !stamp.MatchString(l) {
			t.Errorf("logs -t line %q: want an RFC 3339 time with nanoseconds, then the line", l)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--since", "1h"}, "one\n"},
		{[]string{"--since", "2000-01-01T00:00:00Z"}, "one\n"},
		{[]string{"--until", "1h"}, ""},
		{[]string{"--until", "2000-01-01"}, ""},
		{[]string{"--since", "2000-01-01", "--until", "4102444800"}, "one\n"},
		{[]string{"--since", "4102444800"}, ""},
	} {
		if r := mustPocket(t, root, append(append([]string{"logs"}, tc.args...), "ll")...); r.Stdout != tc.want {
			t.Errorf("logs %v: stdout %q, want %q", tc.args, r.Stdout, tc.want)
		}
	}
	if r := pocket(t, root, "logs", "--since", "yesterday", "ll"); r.Code != 1 || !strings.Contains(r.Stderr, "failed to parse value as time or duration") {
		t.Errorf("logs --since yesterday: %s", r)
	}
}

func TestGenerateSystemd(t *testing.T) {
	root := newRoot(t)
	id := strings.TrimSpace(mustPocket(t, root, "create", "--name", "svc", "--network", "none", "--stop-timeout", "5", "busybox", "sh", "-c", "echo from systemd; exit 4").Stdout)
	unit := mustPocket(t, root, "generate", "systemd", "--name", "--restart-policy", "always", "svc").Stdout
	for _, want := range []string{
		"# container-svc.service\n", "[Unit]\n", "[Service]\nType=simple\nRestart=always\nTimeoutStopSec=65\n",
		" start -a svc\n", " stop -t 5 svc\n", "[Install]\nWantedBy=default.target\n",
	} {
		if !strings.Contains(unit, want) {
			t.Errorf("unit lacks %q:\n%s", want, unit)
		}
	}
	if unit := mustPocket(t, root, "generate", "systemd", "svc").Stdout; !strings.Contains(unit, "# container-"+id+".service\n") {
		t.Errorf("unit without --name does not name the ID:\n%s", unit)
	}
	// What systemd runs is the container's monitor in the foreground,
	// with the container's output and status.
	var start string
	for _, l := range lines(unit) {
		if s, ok := strings.CutPrefix(l, "ExecStart="); ok {
			start = s
		}
	}
	argv := strings.Fields(start)
	cmd := pocketCmd(t, root)
	cmd.Path, cmd.Args = argv[0], argv
	if r := runToEnd(t, cmd, start); r.Code != 4 || r.Stdout != "from systemd\n" {
		t.Errorf("ExecStart %s: %s", start, r)
	}
	if r := pocket(t, root, "generate", "systemd", "--restart-policy", "sometimes", "svc"); r.Code != 1 || !strings.Contains(r.Stderr, `"sometimes" is not a valid restart policy`) {
		t.Errorf("--restart-policy sometimes: %s", r)
	}
}

func TestAttach(t *testing.T) {
	root := newRoot(t)
	t.Run("stdin and status", func(t *testing.T) {
		mustPocket(t, root, "run", "-d", "-i", "--name", "reader", "--network", "none", "busybox", "sh", "-c", "read x; echo got $x; echo err >&2; exit 5")
		cmd := pocketCmd(t, root, "attach", "reader")
		cmd.Stdin = strings.NewReader("abc\n")
		r := runToEnd(t, cmd, "attach reader")
		if r.Code != 5 || r.Stdout != "got abc\n" || r.Stderr != "err\n" {
			t.Errorf("attach: want the output on its streams and status 5, got %s", r)
		}
	})
	t.Run("detach keys", func(t *testing.T) {
		mustPocket(t, root, "run", "-d", "-it", "--name", "shell", "--network", "none", "busybox", "sh")
		cmd := pocketCmd(t, root, "attach", "shell")
		in, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		var out lockedBuffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// The keys go once the command's output is seen: after them,
		// nothing more is shown.
		io.WriteString(in, "echo hi-$((40+2))\n")
		eventually(t, "echoed through the attachment", func() bool { return strings.Contains(out.String(), "hi-42") })
		io.WriteString(in, "\x10\x11")
		if err := cmd.Wait(); err != nil {
			t.Errorf("attach then ctrl-p ctrl-q: %v\n%s", err, out.String())
		}
		if info := inspectContainer(t, func() result { return mustPocket(t, root, "inspect", "shell") }); !info.State.Running {
			t.Errorf("detaching stopped the container: %+v", info.State)
		}
		mustPocket(t, root, "rm", "-f", "shell")
	})
	t.Run("errors", func(t *testing.T) {
		mustPocket(t, root, "create", "--name", "idle", "--network", "none", "busybox")
		if r := pocket(t, root, "attach", "idle"); r.Code != 1 || !strings.Contains(r.Stderr, "You cannot attach to a stopped container, start it first") {
			t.Errorf("attach to a created container: %s", r)
		}
		if r := pocket(t, root, "attach", "--detach-keys", "ctrl-1", "idle"); r.Code != 1 || !strings.Contains(r.Stderr, "Invalid detach keys (ctrl-1) provided") {
			t.Errorf("attach --detach-keys ctrl-1: %s", r)
		}
	})
}

// lockedBuffer is a bytes.Buffer a command writes while a test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// An attached run with a restart policy ends when pocket is told to: the
// signal it relays is a stop by hand.
func TestRestartPolicyAttachedStop(t *testing.T) {
	root := newRoot(t)
	cmd := pocketCmd(t, root, "run", "--name", "fg", "--network", "none", "--restart", "always", "busybox", "sh", "-c",
		`trap 'exit 0' TERM; echo up; while true; do sleep 0.1; done`)
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "up", func() bool { return strings.Contains(out.String(), "up") })
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("attached run --restart always after SIGTERM: %v\n%s", err, out.String())
		}
	case <-time.After(commandTimeout):
		cmd.Process.Kill()
		t.Fatalf("attached run --restart always went on after SIGTERM:\n%s", out.String())
	}
	if info := inspectContainer(t, func() result { return mustPocket(t, root, "inspect", "fg") }); info.State.Status != "exited" || info.RestartCount != 0 {
		t.Errorf("after SIGTERM: %+v, RestartCount %d", info.State, info.RestartCount)
	}
}

func TestRootlessCreateStartAttach(t *testing.T) {
	e := newRootlessEnv(t, userWithSubIDs)
	id := strings.TrimSpace(e.must(t, "create", "--name", "made", "--network", "none", "-u", "1000", "busybox", "sh", "-c", "echo as $(id -u); exit 6").Stdout)
	if !fullID.MatchString(id) {
		t.Fatalf("create printed %q", id)
	}
	e.must(t, "start", "made")
	e.must(t, "wait", "made")
	if r := e.must(t, "logs", "made"); r.Stdout != "as 1000\n" {
		t.Errorf("logs: %q", r.Stdout)
	}
	if r := e.pocket(t, "start", "-a", "made"); r.Code != 6 || r.Stdout != "as 1000\n" {
		t.Errorf("start -a: %s", r)
	}
	e.must(t, "rename", "made", "renamed")
	if r := e.must(t, "ps", "-a", "--format", "{{.Names}}"); r.Stdout != "renamed\n" {
		t.Errorf("ps after rename: %q", r.Stdout)
	}
	e.must(t, "run", "-d", "-i", "--name", "reader", "--network", "none", "-u", "1000", "busybox", "sh", "-c", "read x; echo got $x; exit 5")
	cmd := e.cmd("attach", "reader")
	cmd.Stdin = strings.NewReader("abc\n")
	if r := runToEnd(t, cmd, "attach reader"); r.Code != 5 || r.Stdout != "got abc\n" {
		t.Errorf("rootless attach: %s", r)
	}
	// Paused without a delegated cgroup: nothing to freeze, said so.
	e.must(t, "run", "-d", "--name", "free", "--network", "none", "busybox", "sleep", "1000")
	if r := e.pocket(t, "pause", "free"); r.Code != 1 || !strings.Contains(r.Stderr, "has no cgroup to freeze") {
		t.Errorf("rootless pause without a cgroup: %s", r)
	}
	e.must(t, "rm", "-f", "free")
}

// TestUpdateRestart: `pocket update --restart` records the policy, and the
// monitor of a running container applies it at the next exit.
func TestUpdateRestart(t *testing.T) {
	root := newRoot(t)
	info := func(name string) containerInfo {
		return inspectContainer(t, func() result { return mustPocket(t, root, "inspect", name) })
	}
	// Started with no policy; it exits 3 once /go exists, which stays in
	// its rootfs across restarts.
	mustPocket(t, root, "run", "-d", "--name", "upd", "--network", "none", "busybox",
		"sh", "-c", "echo run; while [ ! -e /go ]; do sleep 0.1; done; exit 3")
	defer pocket(t, root, "rm", "-f", "upd")
	if r := mustPocket(t, root, "update", "--restart", "on-failure:2", "upd"); r.Stdout != "upd\n" {
		t.Errorf("update printed %q, want the name", r.Stdout)
	}
	if p := info("upd").HostConfig.RestartPolicy; p.Name != "on-failure" || p.MaximumRetryCount != 2 {
		t.Errorf("inspect RestartPolicy after update: %+v", p)
	}
	mustPocket(t, root, "exec", "upd", "touch", "/go")
	eventually(t, "exited after two restarts", func() bool {
		i := info("upd")
		return i.State.Status == "exited" && i.RestartCount == 2
	})
	if r := mustPocket(t, root, "logs", "upd"); r.Stdout != "run\nrun\nrun\n" {
		t.Errorf("three runs, want three lines, got %q", r.Stdout)
	}

	// Docker's refusal for a --rm container; "no" is no change and passes.
	mustPocket(t, root, "create", "--name", "gone", "--rm", "--network", "none", "busybox", "true")
	r := pocket(t, root, "update", "--restart", "always", "gone")
	if r.Code != 1 || !strings.Contains(r.Stderr, "Restart policy cannot be updated because AutoRemove is enabled for the container") {
		t.Errorf("update --restart of a --rm container: want exit 1 with Docker's refusal\n%s", r)
	}
	mustPocket(t, root, "update", "--restart", "no", "gone")
	if p := info("gone").HostConfig.RestartPolicy; p.Name != "no" {
		t.Errorf("RestartPolicy of the --rm container: %+v", p)
	}
	if r := pocket(t, root, "update", "--restart", "sometimes", "upd"); r.Code != 1 || !strings.Contains(r.Stderr, "unknown policy 'sometimes'") {
		t.Errorf("update --restart sometimes: want exit 1\n%s", r)
	}
}

// TestAttachTTYSize: `pocket attach` to a -t container gives its pty the
// user's terminal size, and the new size after each SIGWINCH, as Docker's.
func TestAttachTTYSize(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "run", "-d", "-t", "--name", "sized", "--network", "none", "busybox", "sleep", "1000")
	defer pocket(t, root, "rm", "-f", "sized")
	size := func() string {
		return strings.TrimSpace(pocket(t, root, "exec", "sized", "stty", "-F", "/dev/pts/0", "size").Stdout)
	}
	cmd := pocketCmd(t, root, "attach", "sized")
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 33, Cols: 101})
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	go io.Copy(io.Discard, ptmx)
	defer cmd.Process.Kill()
	eventually(t, "the pty sized as the terminal attached", func() bool { return size() == "33 101" })
	// The kernel sends the attach client, the terminal's foreground
	// process, SIGWINCH.
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the pty resized with the terminal", func() bool { return size() == "40 120" })
}

// TestRestartPolicyBoot: `pocket start --boot` is pocket's stand-in for
// Docker's daemon starting: it starts always containers even after a stop
// by hand, unless-stopped ones unless stopped by hand, on-failure ones
// that ended non-zero, and nothing else. A container whose monitor was
// killed (the host went down) was not stopped by hand.
func TestRestartPolicyBoot(t *testing.T) {
	root := newRoot(t)
	run := func(name, policy string) string {
		t.Helper()
		id := strings.TrimSpace(mustPocket(t, root, "run", "-d", "--name", name, "--network", "none", "--restart", policy, "busybox", "sleep", "1000").Stdout)
		t.Cleanup(func() { pocket(t, root, "rm", "-f", name) })
		return id
	}
	// The host going down: the monitor dies, and its container with it.
	crash := func(id string) {
		t.Helper()
		if err := syscall.Kill(stateOf(t, root, id).MonitorPid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
	}
	run("always-stopped", "always")
	mustPocket(t, root, "stop", "-t", "0", "always-stopped")
	run("unless-stopped-stopped", "unless-stopped")
	mustPocket(t, root, "stop", "-t", "0", "unless-stopped-stopped")
	crash(run("unless-stopped-crashed", "unless-stopped"))
	crash(run("on-failure-crashed", "on-failure"))
	crash(run("no-crashed", "no"))
	mustPocket(t, root, "create", "--name", "always-created", "--network", "none", "--restart", "always", "busybox", "true")
	t.Cleanup(func() { pocket(t, root, "rm", "-f", "always-created") })
	eventually(t, "the crashed containers exited", func() bool {
		return mustPocket(t, root, "ps", "-q").Stdout == ""
	})
	// A stop by hand ends an always container's restarts (Docker's rule).
	if got := mustPocket(t, root, "inspect", "--format", "{{.State.Status}}", "always-stopped").Stdout; got != "exited\n" {
		t.Errorf("always container after stop: %q, want exited", got)
	}

	r := mustPocket(t, root, "start", "--boot")
	if got, want := len(lines(r.Stdout)), 3; got != want {
		t.Errorf("start --boot printed %d lines, want %d:\n%s", got, want, r)
	}
	got := lines(mustPocket(t, root, "ps", "--format", "{{.Names}}").Stdout)
	slices.Sort(got)
	if want := []string{"always-stopped", "on-failure-crashed", "unless-stopped-crashed"}; !slices.Equal(got, want) {
		t.Errorf("running after start --boot: %v, want %v", got, want)
	}
	// Started again by hand, an unless-stopped container is no longer
	// "stopped by hand".
	mustPocket(t, root, "start", "unless-stopped-stopped")
	crash(strings.TrimSpace(mustPocket(t, root, "inspect", "--format", "{{.Id}}", "unless-stopped-stopped").Stdout))
	eventually(t, "the crashed container exited", func() bool {
		return !strings.Contains(mustPocket(t, root, "ps", "--format", "{{.Names}}").Stdout, "unless-stopped-stopped")
	})
	if r := mustPocket(t, root, "start", "--boot"); len(lines(r.Stdout)) != 1 {
		t.Errorf("start --boot did not start the unless-stopped container started by hand since")
	}

	unit := mustPocket(t, root, "generate", "systemd", "--boot").Stdout
	for _, want := range []string{"# pocket-boot.service\n", "Type=oneshot\n", " start --boot\n", "WantedBy=default.target\n"} {
		if !strings.Contains(unit, want) {
			t.Errorf("boot unit lacks %q:\n%s", want, unit)
		}
	}
	if r := pocket(t, root, "start", "--boot", "no-crashed"); r.Code != 1 {
		t.Errorf("start --boot with a container: %s", r)
	}
}

// TestFilterLabelsAnded: several --filter label=... must all match, in ps,
// images and volume ls, as Docker's daemon matches them (other keys'
// values are ORed).
func TestFilterLabelsAnded(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "create", "--name", "both", "-l", "a=1", "-l", "b", "busybox")
	mustPocket(t, root, "create", "--name", "onlya", "-l", "a=1", "busybox")
	for _, tc := range []struct {
		filters []string
		want    string
	}{
		{[]string{"label=a=1", "label=b"}, "both\n"},
		{[]string{"label=a", "label=b"}, "both\n"},
		{[]string{"label=a=1"}, "onlya\nboth\n"},
		{[]string{"label=b", "label=c"}, ""},
	} {
		args := []string{"ps", "-a", "--format", "{{.Names}}"}
		for _, f := range tc.filters {
			args = append(args, "--filter", f)
		}
		if r := mustPocket(t, root, args...); r.Stdout != tc.want {
			t.Errorf("ps %v: %q, want %q", tc.filters, r.Stdout, tc.want)
		}
	}

	ctx := writeContext(t, map[string]string{"Dockerfile": "FROM busybox\nLABEL a=1 b=2\n"})
	mustPocket(t, root, "build", "-q", "-t", "labelled", ctx)
	for _, tc := range []struct {
		filters []string
		want    string
	}{
		{[]string{"label=a=1", "label=b=2"}, "labelled\n"},
		{[]string{"label=a=1", "label=c"}, ""},
	} {
		args := []string{"images", "--format", "{{.Repository}}"}
		for _, f := range tc.filters {
			args = append(args, "--filter", f)
		}
		if r := mustPocket(t, root, args...); r.Stdout != tc.want {
			t.Errorf("images %v: %q, want %q", tc.filters, r.Stdout, tc.want)
		}
	}

	// An anonymous volume carries Docker's com.docker.volume.anonymous.
	mustPocket(t, root, "run", "--network", "none", "-v", "/anon", "busybox", "true")
	const anon = "label=com.docker.volume.anonymous"
	if r := mustPocket(t, root, "volume", "ls", "-q", "--filter", anon); len(lines(r.Stdout)) != 1 {
		t.Errorf("volume ls --filter %s: %q, want the anonymous volume", anon, r.Stdout)
	}
	if r := mustPocket(t, root, "volume", "ls", "-q", "--filter", anon, "--filter", "label=other"); r.Stdout != "" {
		t.Errorf("volume ls with a second label filter it lacks: %q, want nothing", r.Stdout)
	}
}
