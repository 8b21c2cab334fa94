package main

// End-to-end tests of issue 10's item 8 and its smaller things.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"pocket/testdata/images"
)

// TestVolumeInUseNotRefilled: a volume is filled with the image's content
// only while no running container uses it. Filling one in use raced with
// that container, which could swap a directory for a symlink mid-copy and
// have pocket, as host root, write the image's files into the host.
func TestVolumeInUseNotRefilled(t *testing.T) {
	img := pushBusyboxVariant(t, "seeded", nil, images.Dir("seed", 0o755), images.File("seed/f", "image\n", 0o644))
	root := newRoot(t)
	mustPocket(t, root, "run", "-d", "--name", "user", "-v", "shared:/seed", img, "sh", "-c", "rm /seed/f && exec sleep 1000")
	data := volumeData(root, "shared")
	eventually(t, "the running container empties its volume", func() bool {
		entries, err := os.ReadDir(data)
		return err == nil && len(entries) == 0
	})
	if r := mustPocket(t, root, "run", "--rm", "-v", "shared:/seed", img, "ls", "-A", "/seed"); r.Stdout != "" {
		t.Errorf("a volume in use by a running container was filled again: ls shows %q", r.Stdout)
	}
	mustPocket(t, root, "rm", "-f", "user")
	if r := mustPocket(t, root, "run", "--rm", "-v", "shared:/seed", img, "ls", "-A", "/seed"); r.Stdout != "f\n" {
		t.Errorf("an empty volume no container uses was not filled: ls shows %q, want %q", r.Stdout, "f\n")
	}
	if _, err := os.Stat(filepath.Join(data, "f")); err != nil {
		t.Error(err)
	}
}

// TestRunClosedStdout is `pocket run --rm busybox yes | head -1`: head
// closes the pipe. pocket died of SIGPIPE, leaving the container, its
// anonymous volume and cgroup behind, and yes running unread. Now the
// container's own writes fail as they would on that pipe and --rm is
// honoured; pocket exits with the container's status, as docker run does.
func TestRunClosedStdout(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "pull", "-q", "busybox")
	for _, tc := range []struct {
		name string
		cmd  []string
		want int
	}{
		// The container's PID 1 gets no SIGPIPE it has no handler for
		// (the kernel protects a namespace's init), so yes sees EPIPE and
		// exits 1, as it does under docker run.
		{"pid 1", []string{"yes"}, 1},
		// Any other process dies of SIGPIPE, as on the user's pipe.
		{"child", []string{"sh", "-c", "yes; exit $?"}, 141},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := newCgroups(nil)
			cmd := pocketCmd(t, root, append([]string{"run", "--rm", "-v", "/anon", "busybox"}, tc.cmd...)...)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line, err := bufio.NewReader(out).ReadString('\n')
			if err != nil || line != "y\n" {
				t.Fatalf("first line %q, %v", line, err)
			}
			out.Close() // what head -1 does once it has its line
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(commandTimeout):
				cmd.Process.Kill()
				t.Fatal("pocket run kept running after its stdout was closed")
			}
			ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
			if ws.Signaled() {
				t.Fatalf("pocket was killed by %v; stderr:\n%s", ws.Signal(), stderr.String())
			}
			if got := ws.ExitStatus(); got != tc.want {
				t.Errorf("exit status %d, want %d; stderr:\n%s", got, tc.want, stderr.String())
			}
			if r := mustPocket(t, root, "ps", "-aq"); r.Stdout != "" {
				t.Errorf("--rm container left: %q", r.Stdout)
			}
			if got := volumeNames(t, root); len(got) != 0 {
				t.Errorf("anonymous volumes left: %q", got)
			}
			if left := newCgroups(before); len(left) > 0 {
				t.Errorf("cgroups left: %q", left)
			}
		})
	}
}

// newCgroups lists the containers' cgroups (of the pids hierarchy, v1 or
// v2) that are not in before.
func newCgroups(before []string) []string {
	var out []string
	for _, dir := range []string{"/sys/fs/cgroup/pids/pocket", "/sys/fs/cgroup/pocket"} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if p := filepath.Join(dir, e.Name()); e.IsDir() && !slices.Contains(before, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// TestKilledMonitorReclaimedByAnyCommand: a container whose monitor was
// killed died of SIGKILL with it and shows Exited (137), as Docker shows
// it; its cgroup, address and port rules go at the next pocket command of
// any kind, not only at a later ps or rm.
func TestKilledMonitorReclaimedByAnyCommand(t *testing.T) {
	root := newRoot(t)
	id := strings.TrimSpace(mustPocket(t, root, "run", "-d", "--name", "orphan", "-p", "127.0.0.1::80", "busybox", "sleep", "1000").Stdout)
	var in []struct{ State struct{ Pid int } }
	if err := json.Unmarshal([]byte(mustPocket(t, root, "inspect", id).Stdout), &in); err != nil || len(in) != 1 || in[0].State.Pid == 0 {
		t.Fatalf("inspect: %v %v", err, in)
	}
	pid := in[0].State.Pid
	if err := syscall.Kill(ppid(t, pid), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// The container dies with its monitor (its parent-death signal).
	eventually(t, "the container's process ends", func() bool {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		return err != nil || bytes.Contains(b, []byte(") Z "))
	})
	mustPocket(t, root, "images")
	if left := newCgroups(nil); slices.ContainsFunc(left, func(p string) bool { return filepath.Base(p) == id }) {
		t.Errorf("cgroup left after the next command: %q", left)
	}
	if strings.Contains(iptablesSave(t), "pocket:"+id) {
		t.Errorf("port rules left after the next command")
	}
	if b, _ := os.ReadFile(filepath.Join(networkState, "network.json")); strings.Contains(string(b), id) {
		t.Errorf("address allocation left after the next command:\n%s", b)
	}
	if got := psStatus(t, root, "orphan"); !strings.HasPrefix(got, "Exited (137) ") {
		t.Errorf("ps status %q, want Exited (137) ...", got)
	}
	var st []struct {
		State struct {
			Status   string
			ExitCode int
		}
	}
	if err := json.Unmarshal([]byte(mustPocket(t, root, "inspect", id).Stdout), &st); err != nil || len(st) != 1 {
		t.Fatal(err)
	}
	if st[0].State.Status != "exited" || st[0].State.ExitCode != 137 {
		t.Errorf("inspect State = %+v, want exited with 137", st[0].State)
	}
}
