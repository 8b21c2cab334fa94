//go:build linux

package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"pocket/internal/testimages"
)

// TestRootlessFuseOverlayfs runs rootless containers on fuse-overlayfs,
// the fallback for kernels before 5.11, chosen here with POCKET_OVERLAY as
// a user would. /dev/fuse is 0600 on this host (most distributions make it
// 0666), so the test binds a 0666 node in its own mount namespace.
func TestRootlessFuseOverlayfs(t *testing.T) {
	withDevice(t, "/dev/fuse", 10, 229, 0o666)
	e := newRootlessEnv(t, userWithSubIDs)
	e.env = []string{"POCKET_OVERLAY=fuse-overlayfs"}
	e.must(t, "pull", "busybox")

	t.Run("runs", func(t *testing.T) {
		if got := e.out(t, "cat", "/etc/passwd"); !strings.HasPrefix(got, "root:x:0:0:") {
			t.Errorf("cat /etc/passwd = %q, want busybox's passwd", got)
		}
		if got := e.out(t, "sh", "-c", "grep ' / ' /proc/self/mounts | cut -d' ' -f3"); got != "fuse.fuse-overlayfs" {
			t.Errorf("rootfs mounted as %q, want fuse.fuse-overlayfs", got)
		}
	})
	t.Run("image ownership kept", func(t *testing.T) {
		if got := e.out(t, "stat", "-c", "%u:%g", testimages.OwnedByApp); got != "1000:1000" {
			t.Errorf("owner of %s = %q, want 1000:1000", testimages.OwnedByApp, got)
		}
	})
	t.Run("writes stay in their container", func(t *testing.T) {
		if got := e.out(t, "sh", "-c", "echo x > /home/app/new && rm /etc/group && cat /home/app/new && ls /etc/group 2>&1; true"); got != "x\nls: /etc/group: No such file or directory" {
			t.Errorf("write and delete in the rootfs: %q", got)
		}
		if got := e.out(t, "sh", "-c", "ls /home/app/new 2>&1; cat /etc/group | head -1"); got != "ls: /home/app/new: No such file or directory\nroot:x:0:" {
			t.Errorf("the next --rm container sees %q, want the image as it was", got)
		}
	})
	t.Run("user in the image", func(t *testing.T) {
		if got := e.runOut(t, "--user", "1000:1000", "busybox", "sh", "-c", "id -u && echo mine > /home/app/f && cat /home/app/f"); got != "1000\nmine" {
			t.Errorf("--user 1000 on fuse-overlayfs: %q, want 1000 and mine", got)
		}
	})
	t.Run("whiteouts and opaque directories of the layers", func(t *testing.T) {
		e.must(t, "pull", "layered")
		got := e.runOut(t, "layered", "sh", "-c", "ls /data /opq /opq2")
		want := "/data:\nkept.txt\nkind\nreadded.txt\nreplaced.txt\n\n/opq:\nnew.txt\n\n/opq2:\nnew.txt\nnewdir"
		if got != want {
			t.Errorf("merged layers on fuse-overlayfs:\n%s\nwant\n%s", got, want)
		}
	})
	t.Run("detached", func(t *testing.T) {
		id := strings.TrimSpace(e.must(t, "run", "-d", "busybox", "cat", "/etc/hostname").Stdout)
		if got := strings.TrimSpace(e.must(t, "wait", id).Stdout); got != "0" {
			t.Errorf("wait = %q, want 0", got)
		}
		if got := strings.TrimSpace(e.must(t, "logs", id).Stdout); got != id[:12] {
			t.Errorf("logs = %q, want the hostname %s", got, id[:12])
		}
		e.must(t, "rm", id)
	})
	t.Run("stopped", func(t *testing.T) {
		e.must(t, "run", "-d", "--name", "stopped", "busybox", "sleep", "300")
		e.must(t, "stop", "-t", "1", "stopped")
		if st := e.status(t, "stopped"); !strings.HasPrefix(st, "Exited (137) ") {
			t.Errorf("ps -a after stop: %q, want Exited (137) ...", st)
		}
		e.must(t, "rm", "stopped")
	})
	t.Run("read-only", func(t *testing.T) {
		r := e.pocket(t, "run", "--rm", "--read-only", "busybox", "touch", "/x")
		if r.Code == 0 || !strings.Contains(r.Stderr+r.Stdout, "Read-only file system") {
			t.Errorf("touch on a --read-only fuse-overlayfs rootfs: want EROFS, got %s", r)
		}
	})
	// Every run above has ended: nothing of its mount may be left.
	if procs := fuseDaemons(t, e.store()); len(procs) != 0 {
		t.Errorf("fuse-overlayfs still running for %s: %v", e.store(), procs)
	}
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines(string(mi)) {
		if strings.Contains(l, e.dir) {
			t.Errorf("mount left behind: %s", l)
		}
	}
}

// fuseDaemons lists the fuse-overlayfs processes whose arguments name a
// path under dir, as "pid: cmdline".
func fuseDaemons(t *testing.T, dir string) []string {
	t.Helper()
	pids, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, p := range pids {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // gone
		}
		args := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
		if filepath.Base(args[0]) == "fuse-overlayfs" && strings.Contains(string(b), dir) {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
			found = append(found, strconv.Itoa(pid)+": "+strings.Join(args, " "))
		}
	}
	return found
}

// TestRootlessFuseOverlayfsNoDevice: without a /dev/fuse the user may open,
// the run fails with pocket's status, says how to fix it and leaves
// nothing behind.
func TestRootlessFuseOverlayfsNoDevice(t *testing.T) {
	withDevice(t, "/dev/fuse", 10, 229, 0o600)
	e := newRootlessEnv(t, userWithSubIDs)
	e.env = []string{"POCKET_OVERLAY=fuse-overlayfs"}
	e.must(t, "pull", "busybox")
	r := e.pocket(t, "run", "--rm", "busybox", "true")
	if r.Code != 125 || !strings.Contains(r.Stderr, "with fuse-overlayfs") || !strings.Contains(r.Stderr, "(hint: /dev/fuse must be readable and writable by you") {
		t.Errorf("run on fuse-overlayfs without /dev/fuse: want exit 125 and a hint about /dev/fuse, got %s", r)
	}
	if out := strings.TrimSpace(e.must(t, "ps", "-a", "-q").Stdout); out != "" {
		t.Errorf("a failed --rm run left a container: %q", out)
	}
	if procs := fuseDaemons(t, e.store()); len(procs) != 0 {
		t.Errorf("fuse-overlayfs still running for %s: %v", e.store(), procs)
	}
}
