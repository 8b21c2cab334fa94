//go:build linux

package e2e

// End-to-end tests of seccomp: Docker's default profile on every
// container, --security-opt seccomp=unconfined|FILE and --privileged.
// Without a filter, container root can unshare(CLONE_NEWUSER) and hold
// every capability in the new user namespace (the first step of
// CVE-2022-0185 and CVE-2022-0492), and reach keyctl (CVE-2016-0728) and
// perf_event_open (CVE-2013-2094).

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pocket/internal/testimages"
)

// seccompGrep shows a process's seccomp mode (2: filter) and how many
// filters it has.
const seccompGrep = "grep -E '^Seccomp(_filters)?:' /proc/self/status"

func pushProbe(t *testing.T) {
	t.Helper()
	bin, err := testimages.SysprobeBinary()
	if err != nil {
		t.Fatal(err)
	}
	pushImage(t, "sysprobe", nil, testimages.File("sysprobe", string(bin), 0o755))
}

func TestSeccompDefault(t *testing.T) {
	pushProbe(t)
	root := newRoot(t)
	const filtered = "Seccomp:\t2\nSeccomp_filters:\t1\n"
	for _, tc := range []struct {
		name  string
		flags []string
		want  string
	}{
		{"default", nil, filtered},
		// As another user, and with no_new_privs: the filter goes on at
		// another step of init (after the capabilities are gone).
		{"user app", []string{"-u", "app"}, filtered},
		{"no-new-privileges", []string{"--security-opt", "no-new-privileges"}, filtered},
		{"no-new-privileges user app", []string{"--security-opt", "no-new-privileges", "-u", "app"}, filtered},
		{"unconfined", []string{"--security-opt", "seccomp=unconfined"}, "Seccomp:\t0\nSeccomp_filters:\t0\n"},
		{"privileged", []string{"--privileged"}, "Seccomp:\t0\nSeccomp_filters:\t0\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{"run", "--rm"}, tc.flags...), "busybox", "sh", "-c", seccompGrep)
			if got := mustPocket(t, root, args...).Stdout; got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("--init filters pocket as PID 1 too", func(t *testing.T) {
		got := mustPocket(t, root, "run", "--rm", "--init", "busybox", "grep", "^Seccomp:", "/proc/1/status", "/proc/self/status").Stdout
		if want := "/proc/1/status:Seccomp:\t2\n/proc/self/status:Seccomp:\t2\n"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("unshare -U", func(t *testing.T) {
		r := pocket(t, root, "run", "--rm", "busybox", "unshare", "-U", "true")
		if r.Code == 0 || !strings.Contains(r.Stderr, "Operation not permitted") {
			t.Errorf("unshare -U in a default container: %s", r)
		}
		// Docker's profile lets CAP_SYS_ADMIN through.
		mustPocket(t, root, "run", "--rm", "--cap-add", "SYS_ADMIN", "busybox", "unshare", "-U", "true")
	})
	t.Run("syscalls", func(t *testing.T) {
		calls := []string{"keyctl", "add_key", "perf_event_open", "unshare-user", "socket-vsock",
			"socket-inet", "personality-query", "personality-addr-no-randomize", "clone3"}
		got := mustPocket(t, root, append([]string{"run", "--rm", "sysprobe", "/sysprobe"}, calls...)...).Stdout
		want := strings.Join([]string{
			"keyctl EPERM", "add_key EPERM", "perf_event_open EPERM", "unshare-user EPERM",
			"socket-vsock EPERM", "socket-inet ok", "personality-query ok",
			"personality-addr-no-randomize EPERM",
			// ENOSYS, as Docker: libc falls back to clone, whose flags
			// the filter can read.
			"clone3 ENOSYS",
		}, "\n") + "\n"
		if got != want {
			t.Errorf("got:\n%s\nwant:\n%s", got, want)
		}
		// Unconfined, the kernel answers.
		got = mustPocket(t, root, "run", "--rm", "--security-opt", "seccomp=unconfined", "sysprobe", "/sysprobe", "keyctl", "perf_event_open").Stdout
		if strings.Contains(got, "EPERM") {
			t.Errorf("unconfined:\n%s", got)
		}
	})
}

func TestSeccompProfileFile(t *testing.T) {
	root := newRoot(t)
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// mkdir(2) on x86_64, mkdirat(2) everywhere; a name from a newer
	// kernel is ignored, as Docker does.
	deny := write("deny-mkdir.json", `{
		"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat", "syscall_from_2030"], "action": "SCMP_ACT_ERRNO"}]
	}`)
	t.Run("denies mkdir", func(t *testing.T) {
		r := pocket(t, root, "run", "--rm", "--security-opt", "seccomp="+deny, "busybox", "mkdir", "/tmp/d")
		if r.Code != 1 || !strings.Contains(r.Stderr, "Operation not permitted") {
			t.Errorf("mkdir under a profile that denies it: %s", r)
		}
		mustPocket(t, root, "run", "--rm", "busybox", "mkdir", "/tmp/d")
	})
	t.Run("privileged keeps a given profile", func(t *testing.T) {
		r := pocket(t, root, "run", "--rm", "--privileged", "--security-opt", "seccomp="+deny, "busybox", "mkdir", "/tmp/d")
		if r.Code != 1 || !strings.Contains(r.Stderr, "Operation not permitted") {
			t.Errorf("mkdir, privileged, under a profile that denies it: %s", r)
		}
	})
	t.Run("inspect", func(t *testing.T) {
		mustPocket(t, root, "run", "--name", "sec", "--security-opt", "seccomp="+deny, "--security-opt", "no-new-privileges", "busybox", "true")
		var got []struct {
			HostConfig struct{ SecurityOpt []string }
		}
		if err := json.Unmarshal([]byte(mustPocket(t, root, "inspect", "sec").Stdout), &got); err != nil {
			t.Fatal(err)
		}
		want := []string{"seccomp=" + deny, "no-new-privileges"}
		if len(got) != 1 || strings.Join(got[0].HostConfig.SecurityOpt, " ") != strings.Join(want, " ") {
			t.Errorf("HostConfig.SecurityOpt = %+v, want %q", got, want)
		}
	})
	for _, tc := range []struct {
		name, file string
	}{
		{"bad JSON", write("bad.json", `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [`)},
		{"unknown action", write("action.json", `{"defaultAction": "SCMP_ACT_MAYBE"}`)},
		{"missing file", filepath.Join(dir, "none.json")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := pocket(t, root, "run", "--rm", "--security-opt", "seccomp="+tc.file, "busybox", "true")
			msg := strings.TrimSpace(r.Stderr)
			if r.Code != 125 || !strings.Contains(msg, tc.file) || strings.Contains(msg, "\n") {
				t.Errorf("want exit 125 and one line naming %s: %s", tc.file, r)
			}
		})
	}
}

func TestRootlessSeccomp(t *testing.T) {
	e := newRootlessEnv(t, userWithSubIDs)
	if got := e.out(t, "sh", "-c", seccompGrep); got != "Seccomp:\t2\nSeccomp_filters:\t1" {
		t.Errorf("rootless default: got %q, want Seccomp 2 with one filter", got)
	}
	if got := e.runOut(t, "--security-opt", "seccomp=unconfined", "busybox", "grep", "^Seccomp:", "/proc/self/status"); got != "Seccomp:\t0" {
		t.Errorf("rootless unconfined: got %q, want Seccomp 0", got)
	}
	r := e.pocket(t, "run", "--rm", "busybox", "unshare", "-U", "true")
	if r.Code == 0 || !strings.Contains(r.Stderr, "Operation not permitted") {
		t.Errorf("rootless unshare -U: %s", r)
	}
}
