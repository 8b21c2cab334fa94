//go:build linux

package e2e

// Resource limits end to end, on both cgroup layouts: the CI host is cgroup
// v1 (with a hybrid v2 mount) and `make test-vm` runs this same test binary
// in a VM with pure cgroup v2 (testdata/vm). Each assertion names what it
// expects on each layout; the helpers below know where each keeps a
// container's cgroup.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"pocket/cgroup"
)

// cgroupRoot is where the host mounts cgroupfs.
const cgroupRoot = "/sys/fs/cgroup"

// containerCgroupDirs is every host directory of container id's cgroup
// that exists: one on v2, one per v1 hierarchy, found by name (id or a
// prefix of it) below parent ("" for root's containers).
func containerCgroupDirs(t *testing.T, parent, id string) []string {
	t.Helper()
	var pattern []string
	if cgroup.Unified() {
		pattern = []string{filepath.Join(cgroupRoot, parent, "pocket", id+"*")}
	} else {
		// Symlinks (cpu -> cpu,cpuacct) alias hierarchies; globbing them
		// too only repeats a directory.
		pattern = []string{filepath.Join(cgroupRoot, "*", parent, "pocket", id+"*")}
	}
	var out []string
	for _, p := range pattern {
		m, err := filepath.Glob(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m...)
	}
	return out
}

// checkNoCgroup fails the test if container id (or any container whose ID
// starts with it) still has a cgroup directory.
func checkNoCgroup(t *testing.T, parent, id, after string) {
	t.Helper()
	if dirs := containerCgroupDirs(t, parent, id); len(dirs) != 0 {
		t.Errorf("after %s, the container's cgroup is left: %v", after, dirs)
	}
}

// limitCase is one set of run flags and, for each layout, the files the
// container sees at /sys/fs/cgroup with their content; an empty map means
// the flags must be refused (exit 125 naming refuse) on that layout.
type limitCase struct {
	name   string
	flags  []string
	v1, v2 map[string]string
	refuse string
}

// swapAccounting reports whether this v1 host accounts swap (boot option
// swapaccount=1); without it --memory-swap cannot be applied.
func swapAccountingV1() bool {
	_, err := os.Stat(filepath.Join(cgroupRoot, "memory", "memory.memsw.limit_in_bytes"))
	return err == nil
}

// unlimitedV1 is a fresh v1 memory cgroup's limit (the root's), "" on v2.
func unlimitedV1() string {
	b, _ := os.ReadFile(filepath.Join(cgroupRoot, "memory", "memory.memsw.limit_in_bytes"))
	return strings.TrimSpace(string(b))
}

func limitCases() []limitCase {
	memsw := swapAccountingV1()
	cases := []limitCase{{
		name:  "memory",
		flags: []string{"-m", "32m"},
		v1:    map[string]string{"memory/memory.limit_in_bytes": "33554432"},
		// memory.swap.max is swap alone: -m without --memory-swap allows
		// as much swap as memory, as Docker does.
		v2: map[string]string{"memory.max": "33554432", "memory.swap.max": "33554432"},
	}, {
		name:  "memory-swap",
		flags: []string{"-m", "32m", "--memory-swap", "48m"},
		v1:    map[string]string{"memory/memory.limit_in_bytes": "33554432", "memory/memory.memsw.limit_in_bytes": "50331648"},
		v2:    map[string]string{"memory.max": "33554432", "memory.swap.max": "16777216"},
	}, {
		name:  "memory-swap equal to memory is no swap",
		flags: []string{"-m", "32m", "--memory-swap", "32m"},
		v1:    map[string]string{"memory/memory.memsw.limit_in_bytes": "33554432"},
		v2:    map[string]string{"memory.max": "33554432", "memory.swap.max": "0"},
	}, {
		name:  "memory-swap -1 is unlimited swap",
		flags: []string{"-m", "32m", "--memory-swap", "-1"},
		v1:    map[string]string{"memory/memory.limit_in_bytes": "33554432", "memory/memory.memsw.limit_in_bytes": unlimitedV1()},
		v2:    map[string]string{"memory.max": "33554432", "memory.swap.max": "max"},
	}, {
		name:  "cpus",
		flags: []string{"--cpus", "0.5"},
		v1:    map[string]string{"cpu/cpu.cfs_quota_us": "50000", "cpu/cpu.cfs_period_us": "100000"},
		v2:    map[string]string{"cpu.max": "50000 100000"},
	}, {
		name:  "cpu-shares",
		flags: []string{"--cpu-shares", "512"},
		v1:    map[string]string{"cpu/cpu.shares": "512"},
		// runc 1.3's (and containerd's) curve through 2->1, 1024->100 and
		// 262144->10000: ceil(10^((l²+125l)/612 - 7/34)), l = log2(512).
		v2: map[string]string{"cpu.weight": "59"},
	}, {
		name:  "pids-limit",
		flags: []string{"--pids-limit", "20"},
		v1:    map[string]string{"pids/pids.max": "20"},
		v2:    map[string]string{"pids.max": "20"},
	}, {
		name:  "pids-limit -1 is unlimited",
		flags: []string{"--pids-limit", "-1"},
		v1:    map[string]string{"pids/pids.max": "max"},
		v2:    map[string]string{"pids.max": "max"},
	}}
	if memsw {
		cases[0].v1["memory/memory.memsw.limit_in_bytes"] = "67108864"
	} else {
		for i := range cases {
			switch {
			case strings.HasPrefix(cases[i].name, "memory-swap -1"):
				delete(cases[i].v1, "memory/memory.memsw.limit_in_bytes")
			case strings.HasPrefix(cases[i].name, "memory-swap"):
				cases[i].v1, cases[i].refuse = nil, "--memory-swap"
			}
		}
	}
	return cases
}

// TestCgroupLimitsInside runs a container with each resource flag and
// reads, inside it, the files the kernel keeps for its cgroup.
func TestCgroupLimitsInside(t *testing.T) {
	root := newRoot(t)
	for _, tc := range limitCases() {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.v1
			if cgroup.Unified() {
				want = tc.v2
			}
			args := append([]string{"run", "--rm", "--network", "none"}, tc.flags...)
			if want == nil {
				r := pocket(t, root, append(args, "busybox", "true")...)
				if r.Code != 125 || !strings.Contains(r.Stderr, tc.refuse) {
					t.Errorf("want exit 125 naming %s:\n%s", tc.refuse, r)
				}
				return
			}
			checkCgroupFiles(t, want, func(files []string) result {
				return mustPocket(t, root, append(append(args, "busybox", "cat"), files...)...)
			})
		})
	}
}

// checkCgroupFiles cats want's files (relative to /sys/fs/cgroup) with
// cat and compares their contents.
func checkCgroupFiles(t *testing.T, want map[string]string, cat func(files []string) result) {
	t.Helper()
	var files, wants []string
	for f, w := range want {
		files = append(files, "/sys/fs/cgroup/"+f)
		wants = append(wants, w)
	}
	r := cat(files)
	got := lines(r.Stdout)
	if len(got) != len(wants) {
		t.Fatalf("cat %v: want %v\n%s", files, wants, r)
	}
	for i := range got {
		if got[i] != wants[i] {
			t.Errorf("%s = %q, want %q", files[i], got[i], wants[i])
		}
	}
}

// TestCgroupNamespace: on v2 the container has a cgroup namespace, so its
// own cgroup is "/" and the host's tree is out of sight, as with Docker;
// on v1 (no cgroup namespace, as Docker on v1) it sees its pocket/<id>
// directory bind-mounted per hierarchy. Either way /sys/fs/cgroup is
// read-only.
func TestCgroupNamespace(t *testing.T) {
	root := newRoot(t)
	r := mustPocket(t, root, "run", "--rm", "--network", "none", "busybox", "sh", "-c",
		"hostname; cat /proc/self/cgroup; mkdir /sys/fs/cgroup/x 2>/dev/null && echo writable; ls /sys/fs/cgroup")
	out := lines(r.Stdout)
	if len(out) < 2 {
		t.Fatalf("want the hostname and /proc/self/cgroup\n%s", r)
	}
	if cgroup.Unified() {
		if out[1] != "0::/" || strings.Contains(out[2], "::") {
			t.Errorf("/proc/self/cgroup inside: want 0::/ alone\n%s", r)
		}
		if strings.Contains(r.Stdout, "pocket") {
			t.Errorf("the container sees the host's cgroup tree:\n%s", r)
		}
		if !strings.Contains(r.Stdout, "cgroup.procs") || !strings.Contains(r.Stdout, "memory.max") {
			t.Errorf("/sys/fs/cgroup inside lacks its own cgroup's files:\n%s", r)
		}
	} else {
		mem := ""
		for _, l := range out[1:] {
			if strings.Contains(l, ":memory:") {
				mem = l
			}
		}
		if !strings.Contains(mem, ":/pocket/"+out[0]) {
			t.Errorf("/proc/self/cgroup inside: want the memory cgroup /pocket/<id>, id starting %s\n%s", out[0], r)
		}
	}
	if strings.Contains(r.Stdout, "writable") {
		t.Errorf("/sys/fs/cgroup is writable inside the container:\n%s", r)
	}
}

// checkOOM asserts the container was OOM killed: exit 137, OOMKilled.
func checkOOM(t *testing.T, r result, inspect func() result) {
	t.Helper()
	if r.Code != 137 {
		t.Errorf("memory hog: exit %d, want 137\n%s", r.Code, r)
	}
	var in []struct{ State struct{ OOMKilled bool } }
	if err := json.Unmarshal([]byte(inspect().Stdout), &in); err != nil || len(in) != 1 {
		t.Fatalf("inspect hog: %v", err)
	}
	if !in[0].State.OOMKilled {
		t.Error("inspect: OOMKilled is false after the OOM kill")
	}
}

// TestCgroupRemoved: a container's cgroup goes with it, however it ends.
func TestCgroupRemoved(t *testing.T) {
	root := newRoot(t)
	t.Run("run --rm", func(t *testing.T) {
		short := strings.TrimSpace(mustPocket(t, root, "run", "--rm", "--network", "none", "--pids-limit", "20", "busybox", "hostname").Stdout)
		if len(short) != 12 {
			t.Fatalf("hostname %q is not a short container ID", short)
		}
		checkNoCgroup(t, "", short, "run --rm")
	})
	t.Run("rm -f of a detached container", func(t *testing.T) {
		id := strings.TrimSpace(mustPocket(t, root, "run", "-d", "--network", "none", "-m", "32m", "busybox", "sleep", "1000").Stdout)
		if len(containerCgroupDirs(t, "", id)) == 0 {
			t.Fatalf("running container %s has no cgroup", id)
		}
		mustPocket(t, root, "rm", "-f", id)
		checkNoCgroup(t, "", id, "rm -f")
	})
	t.Run("SIGKILL of the foreground run", func(t *testing.T) {
		cmd := pocketCmd(t, root, "run", "--name", "fg", "--network", "none", "--pids-limit", "20", "busybox", "sleep", "1000")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		eventually(t, "ps shows fg running", func() bool { return strings.HasPrefix(psStatus(t, root, "fg"), "Up ") })
		id := containerID(t, root, "fg")
		cmd.Process.Signal(syscall.SIGKILL)
		<-done
		// The container's init dies with pocket (parent-death signal):
		// its cgroup is empty at once, and the next command sees it ended.
		eventually(t, "ps shows fg exited", func() bool { return strings.HasPrefix(psStatus(t, root, "fg"), "Exited ") })
		for _, d := range containerCgroupDirs(t, "", id) {
			eventually(t, "the cgroup "+d+" empties", func() bool {
				b, err := os.ReadFile(filepath.Join(d, "cgroup.procs"))
				return err != nil || len(b) == 0
			})
		}
		mustPocket(t, root, "rm", "fg")
		checkNoCgroup(t, "", id, "SIGKILL of pocket run and rm")
	})
}

// containerID is the full ID of the container named name.
func containerID(t *testing.T, root, name string) string {
	t.Helper()
	var in []struct{ ID string }
	if err := json.Unmarshal([]byte(mustPocket(t, root, "inspect", name).Stdout), &in); err != nil || len(in) != 1 {
		t.Fatalf("inspect %s: %v", name, err)
	}
	return in[0].ID
}

// TestRootlessCgroup: rootless pocket puts its containers' cgroups in the
// v2 subtree systemd delegates to the user (user@UID.service, owned by the
// user with its cgroup.procs, cgroup.subtree_control and cgroup.threads),
// so resource flags work; without a delegated subtree (always on v1) every
// flag fails with exit 125, never ignored.
func TestRootlessCgroup(t *testing.T) {
	e := newRootlessEnv(t, userNoSubIDs)
	t.Run("not delegated", func(t *testing.T) {
		for _, flags := range [][]string{
			{"-m", "64m"}, {"--memory-swap", "-1", "-m", "64m"}, {"--cpus", "1"}, {"--cpu-shares", "512"}, {"--pids-limit", "10"},
		} {
			r := e.pocket(t, append(append([]string{"run", "--rm", "--network", "none"}, flags...), "busybox", "true")...)
			if r.Code != 125 || !strings.Contains(r.Stderr, "needs a delegated cgroup v2 subtree, which rootless pocket does not have here (hint: ") {
				t.Errorf("run %v rootless: want exit 125 naming the missing cgroup, got %s", flags, r)
			}
		}
		if r := e.must(t, "ps", "-a", "-q"); strings.TrimSpace(r.Stdout) != "" {
			t.Errorf("a refused run left a container: %q", r.Stdout)
		}
	})
	t.Run("delegated", func(t *testing.T) {
		if !cgroup.Unified() {
			t.Skip("cgroup v1 cannot be delegated to a user; make test-vm runs this on cgroup v2")
		}
		parent := delegate(t, e.user, "all")
		e.cgroup = openScope(t, parent)
		for _, tc := range limitCases() {
			t.Run(tc.name, func(t *testing.T) {
				args := append([]string{"run", "--rm", "--network", "none"}, tc.flags...)
				checkCgroupFiles(t, tc.v2, func(files []string) result {
					return e.must(t, append(append(args, "busybox", "cat"), files...)...)
				})
			})
		}
		r := e.pocket(t, "run", "--name", "hog", "--network", "none", "-m", "32m", "busybox", "sh", "-c", "x=a; while true; do x=$x$x; done")
		checkOOM(t, r, func() result { return e.must(t, "inspect", "hog") })
		e.must(t, "rm", "hog")
		id := strings.TrimSpace(e.must(t, "run", "-d", "--network", "none", "--pids-limit", "20", "busybox", "sleep", "1000").Stdout)
		if len(containerCgroupDirs(t, parent, id)) != 1 {
			t.Errorf("container %s has no cgroup below the delegated %s", id, parent)
		}
		e.must(t, "rm", "-f", id)
		checkNoCgroup(t, parent, id, "rootless rm -f")
	})
	t.Run("delegated without the memory controller", func(t *testing.T) {
		if !cgroup.Unified() {
			t.Skip("cgroup v1 cannot be delegated to a user; make test-vm runs this on cgroup v2")
		}
		parent := delegate(t, e.user, "pids", "pids")
		e.cgroup = openScope(t, parent)
		r := e.pocket(t, "run", "--rm", "--network", "none", "-m", "32m", "busybox", "true")
		if r.Code != 125 || !strings.Contains(r.Stderr, "--memory: memory controller") || !strings.Contains(r.Stderr, "not delegated") {
			t.Errorf("-m without the memory controller delegated: want exit 125 naming it\n%s", r)
		}
		if got := e.runOut(t, "--network", "none", "--pids-limit", "20", "busybox", "cat", "/sys/fs/cgroup/pids.max"); got != "20" {
			t.Errorf("pids.max inside = %q, want 20", got)
		}
	})
}

// openScope opens the delegated subtree's leaf, where the user's commands
// start, for the rest of the test.
func openScope(t *testing.T, parent string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join(cgroupRoot, parent, "session.scope"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// delegate makes a cgroup v2 subtree for u as systemd does for a user's
// session (user.slice/user-UID.slice/user@UID.service): the directory and
// its cgroup.procs, cgroup.subtree_control and cgroup.threads owned by
// the user, controllers (all the kernel has if none are named) enabled
// down to it, and a leaf for the user's processes. It returns the
// subtree's path and removes it after the test.
func delegate(t *testing.T, u testUser, name string, controllers ...string) string {
	t.Helper()
	slice := fmt.Sprintf("pocket-e2e-%d-%s.slice", os.Getpid(), name)
	parent := filepath.Join(slice, fmt.Sprintf("user@%d.service", u.uid))
	enable := func(dir string, names []string) {
		if names == nil {
			b, err := os.ReadFile(filepath.Join(dir, "cgroup.controllers"))
			if err != nil {
				t.Fatal(err)
			}
			names = strings.Fields(string(b))
		}
		var ctl []string
		for _, c := range names {
			ctl = append(ctl, "+"+c)
		}
		if err := os.WriteFile(filepath.Join(dir, "cgroup.subtree_control"), []byte(strings.Join(ctl, " ")), 0); err != nil {
			t.Fatalf("enable controllers in %s: %v", dir, err)
		}
	}
	enable(cgroupRoot, nil)
	for _, d := range []string{slice, parent, filepath.Join(parent, "session.scope")} {
		if err := os.Mkdir(filepath.Join(cgroupRoot, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		// Leaves first; pocket's own directory is left only if a test failed.
		for _, d := range []string{filepath.Join(parent, "session.scope"), filepath.Join(parent, "pocket"), parent, slice} {
			unix.Rmdir(filepath.Join(cgroupRoot, d))
		}
	})
	enable(filepath.Join(cgroupRoot, slice), controllers)
	for _, d := range []string{parent, filepath.Join(parent, "session.scope")} {
		for _, f := range []string{"", "cgroup.procs", "cgroup.subtree_control", "cgroup.threads"} {
			if err := os.Chown(filepath.Join(cgroupRoot, d, f), u.uid, u.gid); err != nil {
				t.Fatal(err)
			}
		}
	}
	return parent
}
