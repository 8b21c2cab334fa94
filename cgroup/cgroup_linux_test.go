package cgroup

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/containerd/cgroups/v3"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// testParent keeps the tests' cgroups apart from real containers' /pocket.
const testParent = "pocket-test"

// helperEnv selects a helper mode when the test binary re-execs itself.
const helperEnv = "POCKET_CGROUP_TEST_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "wait":
		// Block until the parent has placed us, like a container's init.
		os.Stdin.Read(make([]byte, 1))
		os.Exit(0)
	case "alloc":
		os.Stdin.Read(make([]byte, 1))
		var keep [][]byte
		for range 512 { // 512 MiB, far above the test's limit
			b := make([]byte, 1<<20)
			for i := 0; i < len(b); i += 4096 {
				b[i] = 1
			}
			keep = append(keep, b)
		}
		fmt.Println("survived", len(keep))
		os.Exit(0)
	case "hide":
		hideAndCreate()
	case "devices":
		os.Stdin.Read(make([]byte, 1))
		tryDevices(os.Getenv("POCKET_CGROUP_TEST_DIR"))
		os.Exit(0)
	}
	os.Exit(2)
}

// hideAndCreate runs in a private mount namespace: it covers one v1
// hierarchy with a tmpfs (read-only: not writable; read-write: a
// hierarchy without the controller's files), calls New and prints the
// outcome as JSON.
func hideAndCreate() {
	var in struct {
		Hide, ID string
		RO       bool
		R        Resources
	}
	out := json.NewEncoder(os.Stdout)
	fail := func(err error) { out.Encode(map[string]any{"Setup": err.Error()}); os.Exit(0) }
	if err := json.Unmarshal([]byte(os.Getenv("POCKET_CGROUP_TEST_IN")), &in); err != nil {
		fail(err)
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		fail(err)
	}
	var flags uintptr
	if in.RO {
		flags = unix.MS_RDONLY
	}
	if err := unix.Mount("tmpfs", filepath.Join(mountpoint, in.Hide), "tmpfs", flags, ""); err != nil {
		fail(err)
	}
	c, err := New(testParent, in.ID, in.R)
	if err == nil {
		c.Delete()
		out.Encode(map[string]any{"Err": ""})
		return
	}
	out.Encode(map[string]any{"Err": err.Error(), "NoController": errors.Is(err, ErrNoController)})
	os.Exit(0)
}

// tryDevices makes /dev/null's node and a loop device's in dir and opens
// each, printing what happened: the device cgroup decides both.
func tryDevices(dir string) {
	for _, d := range []struct {
		name string
		mode uint32
		dev  uint64
	}{{"null", unix.S_IFCHR, unix.Mkdev(1, 3)}, {"loop", unix.S_IFBLK, unix.Mkdev(7, 0)}} {
		p := filepath.Join(dir, d.name)
		if err := unix.Mknod(p, d.mode|0o600, int(d.dev)); err != nil {
			fmt.Printf("%s: mknod: %v\n", d.name, err)
			continue
		}
		fd, err := unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
		if err == nil {
			unix.Close(fd)
			fmt.Printf("%s: open\n", d.name)
		} else {
			fmt.Printf("%s: open: %v\n", d.name, err)
		}
	}
}

// needRoot skips where cgroups cannot be written; CI runs as root.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to write cgroups")
	}
}

// needV1 skips on unified hosts: the test reads v1 kernel files.
func needV1(t *testing.T) {
	t.Helper()
	needRoot(t)
	if cgroups.Mode() == cgroups.Unified {
		t.Skip("reads cgroup v1 files; this host is cgroup v2")
	}
}

func testID(t *testing.T) string {
	return fmt.Sprintf("t%d-%s", os.Getpid(), strings.NewReplacer("/", "-", " ", "-").Replace(t.Name()))
}

// makeTestParent creates testParent on a unified host: there New takes an
// existing parent (the root, or a rootless user's delegated subtree) as
// it is, while v1 creates missing ones. cleanParents removes it.
func makeTestParent(t *testing.T) {
	t.Helper()
	if cgroups.Mode() != cgroups.Unified {
		return
	}
	if err := os.MkdirAll(filepath.Join(v2Root, testParent), 0o755); err != nil {
		t.Fatal(err)
	}
}

// newTest creates a cgroup and deletes it, and the test parents, after the test.
func newTest(t *testing.T, r Resources) *Cgroup {
	t.Helper()
	makeTestParent(t)
	c, err := New(testParent, testID(t), r)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Delete(); err != nil {
			t.Errorf("Delete: %v", err)
		}
		cleanParents(t)
	})
	return c
}

// cleanParents removes <testParent>/pocket and <testParent> where empty.
func cleanParents(t *testing.T) {
	for _, d := range allDirs(t, testParent) {
		unix.Rmdir(filepath.Join(d, "pocket"))
		unix.Rmdir(d)
	}
}

// allDirs is group's directory in every writable hierarchy.
func allDirs(t *testing.T, group string) []string {
	t.Helper()
	if cgroups.Mode() == cgroups.Unified {
		return []string{filepath.Join(mountpoint, group)}
	}
	hs, err := hierarchies()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range hs {
		out = append(out, h.Path(group))
	}
	return out
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// TestLimitsV1 creates cgroups with each flag and reads the kernel's files.
func TestLimitsV1(t *testing.T) {
	needV1(t)
	memsw := exists(filepath.Join(mountpoint, "memory", "memory.memsw.limit_in_bytes"))
	unlimited := read(t, filepath.Join(mountpoint, "memory", "memory.limit_in_bytes"))
	for _, tc := range []struct {
		name string
		r    Resources
		want map[string]string // "<hierarchy>/<file>" -> content
	}{{
		name: "memory",
		r:    Resources{Memory: 32 * mib},
		want: map[string]string{"memory/memory.limit_in_bytes": "33554432"},
	}, {
		name: "memory-swap",
		r:    Resources{Memory: 32 * mib, MemorySwap: 48 * mib},
		want: map[string]string{"memory/memory.limit_in_bytes": "33554432", "memory/memory.memsw.limit_in_bytes": "50331648"},
	}, {
		name: "memory-swap unlimited",
		r:    Resources{Memory: 32 * mib, MemorySwap: -1},
		want: map[string]string{"memory/memory.limit_in_bytes": "33554432", "memory/memory.memsw.limit_in_bytes": unlimited},
	}, {
		name: "cpus",
		r:    Resources{CPUs: 0.5},
		want: map[string]string{"cpu/cpu.cfs_quota_us": "50000", "cpu/cpu.cfs_period_us": "100000"},
	}, {
		name: "cpu-shares",
		r:    Resources{CPUShares: 512},
		want: map[string]string{"cpu/cpu.shares": "512", "cpu/cpu.cfs_quota_us": "-1"},
	}, {
		name: "pids-limit",
		r:    Resources{PidsLimit: 10},
		want: map[string]string{"pids/pids.max": "10"},
	}, {
		name: "pids-limit unlimited",
		r:    Resources{PidsLimit: -1},
		want: map[string]string{"pids/pids.max": "max"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			if _, ok := tc.want["memory/memory.memsw.limit_in_bytes"]; ok && !memsw {
				t.Skip("no swap accounting (boot with swapaccount=1)")
			}
			c := newTest(t, tc.r)
			group := filepath.Join("/", testParent, "pocket", testID(t))
			for file, want := range tc.want {
				h, name, _ := strings.Cut(file, "/")
				if got := read(t, filepath.Join(mountpoint, h, group, name)); got != want {
					t.Errorf("%s = %s, want %s", file, got, want)
				}
			}
			if !slices.Contains(c.dirs, filepath.Join(mountpoint, "memory", group)) {
				t.Errorf("dirs %v lack the memory hierarchy", c.dirs)
			}
		})
	}
	t.Run("memory alone allows as much swap as memory", func(t *testing.T) {
		if !memsw {
			t.Skip("no swap accounting (boot with swapaccount=1)")
		}
		newTest(t, Resources{Memory: 32 * mib})
		file := filepath.Join(mountpoint, "memory", testParent, "pocket", testID(t), "memory.memsw.limit_in_bytes")
		if got := read(t, file); got != "67108864" {
			t.Errorf("memsw = %s, want 67108864", got)
		}
	})
}

// startHelper starts the test binary in mode; it blocks reading stdin.
func startHelper(t *testing.T, mode string, env ...string) (*exec.Cmd, io.WriteCloser, *strings.Builder) {
	t.Helper()
	cmd := exec.Command("/proc/self/exe", "-test.run=^$")
	cmd.Env = append(append(os.Environ(), helperEnv+"="+mode), env...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd, stdin, &out
}

// devicesList is what the kernel shows for DeviceRules() in devices.list:
// the allow list left after "deny all", duplicates merged.
const devicesList = `c 1:5 rwm
c 1:3 rwm
c 1:9 rwm
c 1:8 rwm
c 5:0 rwm
c 5:1 rwm
c *:* m
b *:* m
c 1:7 rwm
c 136:* rwm
c 5:2 rwm
c 10:200 rwm`

// deviceOutcome is tryDevices' report with the default rules: both nodes
// may be made (c *:* m, b *:* m), only /dev/null opened.
const deviceOutcome = "null: open\nloop: open: operation not permitted\n"

// TestDevicesV1 writes the device rules to the v1 devices controller and
// checks what the kernel kept and what it lets a process in the cgroup do.
func TestDevicesV1(t *testing.T) {
	needV1(t)
	for _, tc := range []struct {
		name string
		r    Resources
		want string
	}{
		{"docker's defaults", Resources{Devices: DeviceRules()}, devicesList},
		{"privileged", Resources{Devices: AllDevices()}, "a *:* rwm"},
		{"no rules leaves the parent's", Resources{}, read(t, filepath.Join(mountpoint, "devices", "devices.list"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			newTest(t, tc.r)
			file := filepath.Join(mountpoint, "devices", testParent, "pocket", testID(t), "devices.list")
			if got := read(t, file); got != tc.want {
				t.Errorf("devices.list:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
	t.Run("enforced", func(t *testing.T) {
		c := newTest(t, Resources{Devices: DeviceRules()})
		cmd, stdin, out := startHelper(t, "devices", "POCKET_CGROUP_TEST_DIR="+t.TempDir())
		if err := c.Add(cmd.Process.Pid); err != nil {
			t.Fatal(err)
		}
		stdin.Write([]byte{1})
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper: %v: %s", err, out)
		}
		if out.String() != deviceOutcome {
			t.Errorf("in the cgroup:\n%swant:\n%s", out, deviceOutcome)
		}
	})
}

// TestAddLoadDelete moves a process in, finds it in every hierarchy, and
// removes the cgroup once it has exited.
func TestAddLoadDelete(t *testing.T) {
	needRoot(t)
	makeTestParent(t)
	c, err := New(testParent, testID(t), Resources{PidsLimit: 100})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Delete(); cleanParents(t) })
	cmd, stdin, out := startHelper(t, "wait")
	if err := c.Add(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	pid := strconv.Itoa(cmd.Process.Pid)
	group := filepath.Join("/", testParent, "pocket", testID(t))
	dirs := allDirs(t, group)
	if len(dirs) == 0 {
		t.Fatal("no hierarchy")
	}
	for _, d := range dirs {
		if procs := strings.Fields(read(t, filepath.Join(d, "cgroup.procs"))); !slices.Contains(procs, pid) {
			t.Errorf("%s/cgroup.procs = %v, want %s in it", d, procs, pid)
		}
	}
	self := strings.Fields(read(t, "/proc/"+pid+"/cgroup"))
	for _, line := range self {
		if strings.HasPrefix(line, "0::") && cgroups.Mode() != cgroups.Unified {
			continue // hybrid: pocket limits nothing through the v2 mount
		}
		if !strings.HasSuffix(line, group) {
			t.Errorf("/proc/%s/cgroup line %q is not in %s", pid, line, group)
		}
	}

	loaded, err := Load(testParent, testID(t))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if diff := slices.Compare(c.dirs, loaded.dirs); diff != 0 {
		t.Errorf("Load dirs = %v, want %v", loaded.dirs, c.dirs)
	}

	stdin.Write([]byte{1})
	if err := cmd.Wait(); err != nil {
		t.Fatalf("helper: %v: %s", err, out)
	}
	if c.OOMKilled() {
		t.Error("OOMKilled after a clean exit")
	}
	if err := c.Delete(); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	for _, d := range dirs {
		if _, err := os.Stat(d); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s still there after Delete (stat: %v)", d, err)
		}
	}
	if err := c.Delete(); err != nil {
		t.Errorf("second Delete: %v", err)
	}
	if _, err := Load(testParent, testID(t)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load after Delete = %v, want fs.ErrNotExist", err)
	}
}

// TestOOMKilled runs a process that outgrows -m: the kernel kills it.
func TestOOMKilled(t *testing.T) {
	needRoot(t)
	c := newTest(t, Resources{Memory: 32 * mib, MemorySwap: 32 * mib})
	cmd, stdin, out := startHelper(t, "alloc")
	// Placed before it allocates, as run places a container before exec.
	if err := c.Add(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	stdin.Write([]byte{1})
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("helper exited with %v, want SIGKILL: %s", err, out)
	}
	if ws := ee.Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("helper: %v, want killed by SIGKILL: %s", err, out)
	}
	if !c.OOMKilled() {
		t.Error("OOMKilled() = false after the OOM killer acted")
	}
}

// TestNoController hides a hierarchy in a private mount namespace: a limit
// that needs it fails with ErrNoController naming the flag, and nothing is
// left behind in the other hierarchies.
func TestNoController(t *testing.T) {
	needV1(t)
	for _, tc := range []struct {
		name string
		hide string
		ro   bool
		r    Resources
		want string
	}{{
		name: "hierarchy not writable",
		hide: "pids", ro: true,
		r:    Resources{PidsLimit: 10},
		want: "--pids-limit: pids controller: cgroup controller not available (hint: mount the pids hierarchy writable",
	}, {
		name: "controller file missing",
		hide: "memory",
		r:    Resources{Memory: 32 * mib, PidsLimit: 10},
		want: "--memory: memory.limit_in_bytes: cgroup controller not available (hint: ",
	}, {
		// A container is never started with unrestricted device access.
		name: "devices hierarchy not writable",
		hide: "devices", ro: true,
		r:    Resources{Devices: DeviceRules()},
		want: "device rules: devices controller: cgroup controller not available (hint: mount the devices hierarchy writable under /sys/fs/cgroup)",
	}, {
		name: "devices file missing",
		hide: "devices",
		r:    Resources{Devices: DeviceRules()},
		want: "device rules: devices.allow: cgroup controller not available (hint: the kernel needs CONFIG_CGROUP_DEVICE",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			id := testID(t)
			in, _ := json.Marshal(map[string]any{"Hide": tc.hide, "RO": tc.ro, "ID": id, "R": tc.r})
			cmd := exec.Command("/proc/self/exe", "-test.run=^$")
			cmd.Env = append(os.Environ(), helperEnv+"=hide", "POCKET_CGROUP_TEST_IN="+string(in))
			cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNS}
			raw, err := cmd.Output()
			t.Cleanup(func() { cleanParents(t) })
			if err != nil {
				t.Fatalf("helper: %v: %s", err, raw)
			}
			var got struct {
				Setup, Err   string
				NoController bool
			}
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatalf("helper said %q: %v", raw, err)
			}
			if got.Setup != "" {
				t.Fatalf("helper setup: %s", got.Setup)
			}
			t.Logf("New: %s", got.Err)
			if !got.NoController || !strings.Contains(got.Err, tc.want) {
				t.Errorf("New = %q (ErrNoController %v), want it to contain %q", got.Err, got.NoController, tc.want)
			}
			for _, d := range allDirs(t, filepath.Join("/", testParent, "pocket", id)) {
				if exists(d) {
					t.Errorf("%s left behind", d)
				}
			}
		})
	}
}

// TestV2HybridMount drives the v2 code on this host's hybrid v2 mount,
// which offers no memory, cpu or pids controller: the cgroup is made,
// a child is cloned straight into it through FD, and a limit fails with
// ErrNoController. On a unified host the other tests cover v2.
func TestV2HybridMount(t *testing.T) {
	needRoot(t)
	if cgroups.Mode() != cgroups.Hybrid {
		t.Skip("needs a hybrid host; unified hosts run v2 through New")
	}
	old := v2Root
	v2Root = filepath.Join(mountpoint, "unified")
	t.Cleanup(func() { v2Root = old })
	group := filepath.Join("/", testParent, "pocket", testID(t))
	t.Cleanup(func() {
		unix.Rmdir(filepath.Join(v2Root, testParent, "pocket"))
		unix.Rmdir(filepath.Join(v2Root, testParent))
	})

	if err := os.MkdirAll(filepath.Join(v2Root, testParent), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := newV2(testParent, group+"-mem", Resources{Memory: 32 * mib})
	if !errors.Is(err, ErrNoController) || !strings.HasPrefix(err.Error(), "--memory: memory controller: ") {
		t.Errorf("newV2(--memory) = %v, want --memory ErrNoController", err)
	}
	c, err := newV2(testParent, group, Resources{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Delete() })
	f, ok := c.FD()
	if !ok {
		t.Fatal("FD not available on v2")
	}
	defer f.Close()
	cmd := exec.Command("/proc/self/exe", "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=wait")
	cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: int(f.Fd())}
	stdin, _ := cmd.StdinPipe()
	if err := cmd.Start(); err != nil {
		t.Fatalf("clone into cgroup: %v", err)
	}
	pid := strconv.Itoa(cmd.Process.Pid)
	procs := strings.Fields(read(t, filepath.Join(v2Root, group, "cgroup.procs")))
	stdin.Write([]byte{1})
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(procs, pid) {
		t.Errorf("cgroup.procs = %v, want %s in it", procs, pid)
	}
	if err := c.Delete(); err != nil {
		t.Fatal(err)
	}
	if exists(filepath.Join(v2Root, group)) {
		t.Error("v2 cgroup left behind")
	}
}

// TestDevicesV2HybridMount runs the v2 device path, containerd's eBPF
// program, on this host's hybrid v2 mount: the kernel checks a process's
// v2 device programs before (and besides) the v1 controller, so the
// program decides here as on a unified host.
func TestDevicesV2HybridMount(t *testing.T) {
	needRoot(t)
	if cgroups.Mode() != cgroups.Hybrid {
		t.Skip("needs a hybrid host; unified hosts run v2 through New")
	}
	old := v2Root
	v2Root = filepath.Join(mountpoint, "unified")
	t.Cleanup(func() { v2Root = old })
	t.Cleanup(func() {
		unix.Rmdir(filepath.Join(v2Root, testParent, "pocket"))
		unix.Rmdir(filepath.Join(v2Root, testParent))
	})
	if err := os.MkdirAll(filepath.Join(v2Root, testParent), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		rules []specs.LinuxDeviceCgroup
		want  func(string) bool
	}{
		{"docker's defaults", DeviceRules(), func(out string) bool { return out == deviceOutcome }},
		{"privileged", AllDevices(), func(out string) bool {
			return strings.HasPrefix(out, "null: open\nloop: ") && !strings.Contains(out, "not permitted")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := newV2(testParent, filepath.Join("/", testParent, "pocket", testID(t)), Resources{Devices: tc.rules})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Delete() })
			f, ok := c.FD()
			if !ok {
				t.Fatal("FD not available on v2")
			}
			defer f.Close()
			cmd := exec.Command("/proc/self/exe", "-test.run=^$")
			cmd.Env = append(os.Environ(), helperEnv+"=devices", "POCKET_CGROUP_TEST_DIR="+t.TempDir())
			cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: int(f.Fd())}
			cmd.Stdin = strings.NewReader("x")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("helper: %v: %s", err, out)
			}
			if !tc.want(string(out)) {
				t.Errorf("in the cgroup:\n%s", out)
			}
		})
	}
}
