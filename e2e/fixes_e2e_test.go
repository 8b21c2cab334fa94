//go:build linux

package e2e

// End-to-end tests of issue 10's item 8 and its smaller things.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"pocket/internal/testimages"
)

// TestVolumeInUseNotRefilled: a volume is filled with the image's content
// only while no running container uses it. Filling one in use raced with
// that container, which could swap a directory for a symlink mid-copy and
// have pocket, as host root, write the image's files into the host.
func TestVolumeInUseNotRefilled(t *testing.T) {
	img := pushBusyboxVariant(t, "seeded", nil, testimages.Dir("seed", 0o755), testimages.File("seed/f", "image\n", 0o644))
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
			// The container runs: its ID names its cgroups.
			entries, err := os.ReadDir(filepath.Join(root, "containers"))
			if err != nil || len(entries) != 1 {
				t.Fatalf("containers while running: %v %v", entries, err)
			}
			id := entries[0].Name()
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
			if left := cgroupsOf(id); len(left) > 0 {
				t.Errorf("cgroups left: %q", left)
			}
		})
	}
}

// cgroupsOf lists the cgroup directories of container id that exist, in
// the v1 pids hierarchy and under cgroup v2.
func cgroupsOf(id string) []string {
	var out []string
	for _, dir := range []string{"/sys/fs/cgroup/pids/pocket", "/sys/fs/cgroup/pocket"} {
		if p := filepath.Join(dir, id); dirExists(p) {
			out = append(out, p)
		}
	}
	return out
}

func dirExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
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
	if left := cgroupsOf(id); len(left) > 0 {
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

// TestPullBadLayerBlamesContent: a layer pocket refuses for its content
// (an unsafe or invalid entry, a corrupt tar) is the image's fault; the
// error must not send the user to check the network.
func TestPullBadLayerBlamesContent(t *testing.T) {
	cases, err := testimages.Hostile()
	if err != nil {
		t.Fatal(err)
	}
	refused := 0
	for _, hc := range cases {
		t.Run(hc.Name, func(t *testing.T) {
			if err := testRegistry.Push("library/"+hc.Name+":latest", hc.Image); err != nil {
				t.Fatal(err)
			}
			r := pocket(t, newRoot(t), "pull", hc.Name)
			t.Logf("%s", r)
			if r.Code == 0 {
				return
			}
			refused++
			if strings.Contains(r.Stderr, "network") {
				t.Errorf("pull of a refused layer blames the network:\n%s", r.Stderr)
			}
		})
	}
	if refused == 0 {
		t.Fatal("no hostile image was refused")
	}
}

// TestRefusedInput: command lines Docker refuses are refused at once, with
// Docker's words and status, before anything is pulled or created.
func TestRefusedInput(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "pull", "-q", "busybox")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"empty volume source", []string{"run", "--rm", "-v", ":/x", "busybox", "true"}, 125,
			"invalid spec: :/x: empty section between colons"},
		{"log level", []string{"--log-level", "bogus", "ps"}, 1,
			"Unable to parse logging level: bogus"},
		{"cpus NaN", []string{"run", "--rm", "--cpus", "NaN", "busybox", "true"}, 125,
			`invalid argument "NaN" for "--cpus" flag: failed to parse NaN as a rational number`},
		{"memory overflow", []string{"run", "--rm", "-m", "1e30", "busybox", "true"}, 125,
			`invalid argument "1e30" for "-m, --memory" flag: the value is too large`},
		{"bad reference", []string{"run", "--rm", "Busybox", "true"}, 125,
			`invalid reference format "Busybox": repository name (library/Busybox) must be lowercase`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := pocket(t, root, tc.args...)
			if r.Code != tc.code {
				t.Errorf("exit %d, want %d: %s", r.Code, tc.code, r)
			}
			if ls := lines(r.Stderr); len(ls) != 1 || !strings.Contains(ls[0], tc.want) {
				t.Errorf("stderr: want one line containing %q: %s", tc.want, r)
			}
			if r.Stdout != "" {
				t.Errorf("stdout: want nothing (no \"Unable to find image\"): %s", r)
			}
		})
	}
	if r := mustPocket(t, root, "ps", "-aq"); r.Stdout != "" {
		t.Errorf("containers created by refused command lines: %q", r.Stdout)
	}
}

// TestRunMissingLayer: a layer deleted from the store behind pocket's back
// is named, with the command that fetches it again, instead of overlay's
// bare "no such file or directory", when run may not pull (--pull never);
// otherwise run fetches it again (issue 18: never used, re-fetched).
func TestRunMissingLayer(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "pull", "-q", "layered")
	var in []struct{ RootFS struct{ Layers []string } }
	if err := json.Unmarshal([]byte(mustPocket(t, root, "image", "inspect", "layered").Stdout), &in); err != nil || len(in) != 1 || len(in[0].RootFS.Layers) == 0 {
		t.Fatalf("image inspect: %v %v", err, in)
	}
	layer := in[0].RootFS.Layers[len(in[0].RootFS.Layers)-1]
	if err := os.RemoveAll(filepath.Join(root, "layers", strings.TrimPrefix(layer, "sha256:"))); err != nil {
		t.Fatal(err)
	}
	r := pocket(t, root, "run", "--rm", "--pull", "never", "layered", "true")
	if r.Code != 125 {
		t.Errorf("exit %d, want 125: %s", r.Code, r)
	}
	if ls := lines(r.Stderr); len(ls) != 1 || !strings.Contains(ls[0], layer) || !strings.Contains(ls[0], "pocket pull layered") {
		t.Errorf("stderr: want one line naming %s and hinting pocket pull layered: %s", layer, r)
	}
	if r := mustPocket(t, root, "run", "--rm", "layered", "true"); !strings.Contains(r.Stderr, "pulling it again") {
		t.Errorf("run with the layer missing: want it pulled again: %s", r)
	}
	mustPocket(t, root, "run", "--rm", "--pull", "never", "layered", "true")
}

// TestNetworkPublishRange: a range of ports is published in one batch of
// rules (one iptables-restore, not three iptables execs a port), each rule
// as before, and all of them go with the container.
func TestNetworkPublishRange(t *testing.T) {
	root := newRoot(t)
	removeAll(t, root)
	const n = 50
	id := strings.TrimSpace(mustPocket(t, root, "run", "-d", "-p", "127.0.0.1:21000-21049:80-129", "busybox", "sh", "-c", echoServer).Stdout)
	eventually(t, "the first port of the range answers", func() bool {
		s, err := readFrom("127.0.0.1:21000")
		return err == nil && s == "hi\n"
	})
	if got := lines(mustPocket(t, root, "port", id).Stdout); len(got) != n || got[n-1] != "129/tcp -> 127.0.0.1:21049" {
		t.Errorf("port: %d lines, last %q; want %d, the last 129/tcp -> 127.0.0.1:21049", len(got), got[len(got)-1], n)
	}
	if got := strings.Count(iptablesSave(t), "pocket:"+id); got != 3*n {
		t.Errorf("%d rules for the container, want %d (DNAT, hairpin and forward a port)", got, 3*n)
	}
	mustPocket(t, root, "rm", "-f", id)
	if strings.Contains(iptablesSave(t), "pocket:"+id) {
		t.Errorf("rules of the removed container left")
	}
}
