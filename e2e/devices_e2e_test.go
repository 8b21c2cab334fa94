//go:build linux

package e2e

// End-to-end tests of the device cgroup, --device, --device-cgroup-rule
// and --privileged's devices (issue 10): a default container's root keeps
// CAP_MKNOD, as in Docker, so only the device cgroup stands between it and
// the host's disks.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"pocket/cgroup"
	"pocket/internal/testimages"
)

// loopContent is what the test's loop device holds at its start.
const loopContent = "pocket-loop-device"

// loopDevice attaches a loop device to a file holding loopContent and
// detaches it when the test ends. It returns its path and minor.
func loopDevice(t *testing.T) (string, uint32) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "disk.img")
	data := make([]byte, 1<<20)
	copy(data, loopContent)
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("losetup", "--find", "--show", file).CombinedOutput()
	if err != nil {
		t.Fatalf("losetup: %v: %s", err, out)
	}
	dev := strings.TrimSpace(string(out))
	t.Cleanup(func() {
		if out, err := exec.Command("losetup", "--detach", dev).CombinedOutput(); err != nil {
			t.Errorf("losetup --detach %s: %v: %s", dev, err, out)
		}
	})
	var st unix.Stat_t
	if err := unix.Stat(dev, &st); err != nil {
		t.Fatal(err)
	}
	if unix.Major(st.Rdev) != 7 {
		t.Fatalf("%s is %d:%d, not a loop device (major 7)", dev, unix.Major(st.Rdev), unix.Minor(st.Rdev))
	}
	return dev, unix.Minor(st.Rdev)
}

// dockerDevicesList is devices.list in a default Docker container on
// cgroup v1: Docker's default rules, then runc's.
const dockerDevicesList = `c 1:5 rwm
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
c 10:200 rwm
`

// TestDevicesDefault: a default container may mknod a host block device
// but not open it; the default nodes work.
func TestDevicesDefault(t *testing.T) {
	root := newRoot(t)
	for _, tc := range []struct {
		name, script, want string
	}{{
		// The mknod succeeds ("b *:* m"); open fails in the device cgroup,
		// before any driver is reached (no loop device need exist).
		name:   "mknod allowed, read denied",
		script: "mknod /tmp/l b 7 0 && echo made; dd if=/tmp/l of=/dev/null count=1 2>&1 | grep -o 'Operation not permitted'",
		want:   "made\nOperation not permitted\n",
	}, {
		name:   "write denied",
		script: "mknod /tmp/l b 7 0; (echo x > /tmp/l) 2>&1 | grep -o 'Operation not permitted'",
		want:   "Operation not permitted\n",
	}, {
		name:   "character device denied",
		script: "mknod /tmp/mem c 1 1; (head -c1 /tmp/mem) 2>&1 | grep -o 'Operation not permitted'",
		want:   "Operation not permitted\n",
	}, {
		name:   "default nodes",
		script: "echo x > /dev/null && head -c 3 /dev/zero | wc -c && head -c 3 /dev/urandom | wc -c && head -c 3 /dev/random | wc -c && (echo x > /dev/full) 2>&1 | grep -o 'No space left on device'",
		want:   "3\n3\n3\nNo space left on device\n",
	}, {
		// No controlling terminal without -t: the tty driver answers, not
		// the device cgroup.
		name:   "tty reaches its driver",
		script: "(echo > /dev/tty) 2>&1 | grep -o 'No such device or address'",
		want:   "No such device or address\n",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			// --network none: the rules are the point, and the cgroup v2
			// guests of make test-vm have no bridge.
			r := pocket(t, root, "run", "--rm", "--network", "none", "busybox", "sh", "-c", tc.script)
			if r.Stdout != tc.want {
				t.Errorf("want %q\n%s", tc.want, r)
			}
		})
	}
	// cgroup v1 shows the rules as a file; v2 has only the eBPF program,
	// whose effect the cases above check.
	if !cgroup.Unified() {
		t.Run("docker's rule list", func(t *testing.T) {
			r := pocket(t, root, "run", "--rm", "--network", "none", "busybox", "cat", "/sys/fs/cgroup/devices/devices.list")
			if r.Stdout != dockerDevicesList {
				t.Errorf("want %q\n%s", dockerDevicesList, r)
			}
		})
	}
}

// TestDevicesAllowed: --device, --device-cgroup-rule and --privileged
// each open the way to a real loop device.
func TestDevicesAllowed(t *testing.T) {
	dev, minor := loopDevice(t)
	var st unix.Stat_t
	if err := unix.Stat(dev, &st); err != nil {
		t.Fatal(err)
	}
	// Type, major:minor in hex (stat %t:%T), the host node's mode and owner.
	node := fmt.Sprintf("block special file 7:%x %o %d:%d", minor, st.Mode&0o777, st.Uid, st.Gid)
	const stat = `stat -c '%F %t:%T %a %u:%g'`
	mknod := fmt.Sprintf("mknod /tmp/l b 7 %d && head -c %d /tmp/l", minor, len(loopContent))
	root := newRoot(t)
	for _, tc := range []struct {
		name   string
		flags  []string
		script string
		want   string
	}{{
		name:   "device under another name",
		flags:  []string{"--device", dev + ":/dev/xvdc"},
		script: stat + " /dev/xvdc; head -c " + fmt.Sprint(len(loopContent)) + " /dev/xvdc",
		want:   node + "\n" + loopContent,
	}, {
		name:   "device under its own name",
		flags:  []string{"--device", dev},
		script: "head -c " + fmt.Sprint(len(loopContent)) + " " + dev,
		want:   loopContent,
	}, {
		name:   "read-only device",
		flags:  []string{"--device", dev + ":/dev/xvdc:r"},
		script: "head -c 4 /dev/xvdc; echo; (echo x > /dev/xvdc) 2>&1 | grep -o 'Operation not permitted'",
		want:   loopContent[:4] + "\nOperation not permitted\n",
	}, {
		name:   "only the device given",
		flags:  []string{"--device", dev + ":/dev/xvdc"},
		script: "mknod /tmp/o b 7 255; (head -c1 /tmp/o) 2>&1 | grep -o 'Operation not permitted'",
		want:   "Operation not permitted\n",
	}, {
		name:   "device cgroup rule",
		flags:  []string{"--device-cgroup-rule", "b 7:* rwm"},
		script: mknod,
		want:   loopContent,
	}, {
		name:   "privileged",
		flags:  []string{"--privileged"},
		script: mknod + "; echo; head -c 4 " + dev + "; echo; cat /sys/fs/cgroup/devices/devices.list",
		want:   loopContent + "\n" + loopContent[:4] + "\na *:* rwm\n",
	}, {
		// The host's nodes are already there: kept, as runc does.
		name:   "privileged with the host's /dev",
		flags:  []string{"--privileged", "-v", "/dev:/dev"},
		script: "head -c " + fmt.Sprint(len(loopContent)) + " " + dev,
		want:   loopContent,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{"run", "--rm"}, tc.flags...), "busybox", "sh", "-c", tc.script)
			r := pocket(t, root, args...)
			if r.Code != 0 || r.Stdout != tc.want {
				t.Errorf("want %q\n%s", tc.want, r)
			}
		})
	}

	t.Run("inspect", func(t *testing.T) {
		mustPocket(t, root, "run", "--name", "devs", "--device", dev+":/dev/xvdc:rw",
			"--device-cgroup-rule", "b 7:* rwm", "--device-cgroup-rule", "c 10:200 r", "busybox", "true")
		mustPocket(t, root, "run", "--name", "nodevs", "busybox", "true")
		t.Cleanup(func() { pocket(t, root, "rm", "devs", "nodevs") })
		var in []struct{ HostConfig map[string]json.RawMessage }
		if err := json.Unmarshal([]byte(mustPocket(t, root, "inspect", "devs", "nodevs").Stdout), &in); err != nil || len(in) != 2 {
			t.Fatalf("inspect: %v", err)
		}
		for i, want := range []struct{ devices, rules string }{{
			devices: `[{"PathOnHost":"` + dev + `","PathInContainer":"/dev/xvdc","CgroupPermissions":"rw"}]`,
			rules:   `["b 7:* rwm","c 10:200 r"]`,
		}, {
			devices: `[]`, rules: `null`,
		}} {
			if got := compact(t, in[i].HostConfig["Devices"]); got != want.devices {
				t.Errorf("HostConfig.Devices = %s, want %s", got, want.devices)
			}
			if got := compact(t, in[i].HostConfig["DeviceCgroupRules"]); got != want.rules {
				t.Errorf("HostConfig.DeviceCgroupRules = %s, want %s", got, want.rules)
			}
		}
	})
}

// compact is raw without white space, its keys in their order.
func compact(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return b.String()
}

// TestDevicesRefused: a bad --device or --device-cgroup-rule is pocket's
// error (125), names what is wrong, and leaves no container behind.
func TestDevicesRefused(t *testing.T) {
	root := newRoot(t)
	for _, tc := range []struct {
		name  string
		flags []string
		want  string
	}{
		{"not a device", []string{"--device", "/etc/passwd"}, "--device /etc/passwd: not a device node"},
		{"missing device", []string{"--device", "/dev/pocket-nonexistent"}, "--device /dev/pocket-nonexistent: lstat /dev/pocket-nonexistent: no such file or directory"},
		{"directory without devices", []string{"--device", "/etc"}, "--device /etc: not a device node"},
		{"relative container path", []string{"--device", "/dev/null:dev/x"}, "dev/x is not an absolute path"},
		{"bad permissions", []string{"--device", "/dev/null:/dev/x:rx"}, "bad mode specified: rx"},
		{"too many fields", []string{"--device", "/dev/null:/dev/x:r:w"}, "bad format for path"},
		{"rule without access", []string{"--device-cgroup-rule", "c 1:3"}, "invalid device cgroup format 'c 1:3'"},
		{"rule of a bad type", []string{"--device-cgroup-rule", "x 1:3 rwm"}, "invalid device cgroup format 'x 1:3 rwm'"},
		{"rule with bad access", []string{"--device-cgroup-rule", "c 1:3 rwx"}, "invalid device cgroup format 'c 1:3 rwx'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := pocket(t, root, append(append([]string{"run", "--rm"}, tc.flags...), "busybox", "true")...)
			t.Log(strings.TrimSpace(r.Stderr))
			if r.Code != 125 || !strings.Contains(r.Stderr, tc.want) {
				t.Errorf("want exit 125 and %q\n%s", tc.want, r)
			}
		})
	}
	if ps := mustPocket(t, root, "ps", "-aq").Stdout; ps != "" {
		t.Errorf("containers left by refused flags: %q", ps)
	}
}

// TestDevicesHostileTarget: an image's symlinks must not carry a device
// node out of the rootfs (CVE-2019-19921, CVE-2021-30465): a symlinked
// parent resolves inside the rootfs, a symlink at the node's own path is
// not followed.
func TestDevicesHostileTarget(t *testing.T) {
	host := t.TempDir()
	hostDir := filepath.Join(host, "dir")
	hostFile := filepath.Join(host, "file")
	if err := os.Mkdir(hostDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hostFile, []byte("HOST FILE\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pushImage(t, "devices-hostile", nil,
		testimages.Symlink("devdir", hostDir), testimages.Symlink("devnode", hostFile))
	root := newRoot(t)

	r := pocket(t, root, "run", "--rm", "--device", "/dev/null:/devdir/null", "devices-hostile",
		"sh", "-c", "echo x > /devdir/null && stat -c %t:%T "+hostDir+"/null")
	if r.Code != 0 || r.Stdout != "1:3\n" {
		t.Errorf("device below a symlinked directory: want it made inside the rootfs\n%s", r)
	}
	if entries, _ := os.ReadDir(hostDir); len(entries) != 0 {
		t.Errorf("host directory got entries: %v", entries)
	}

	r = pocket(t, root, "run", "--rm", "--device", "/dev/null:/devnode", "devices-hostile", "true")
	if r.Code != 125 || !strings.Contains(r.Stderr, "create device /devnode: file exists") {
		t.Errorf("device over a symlink: want exit 125, file exists\n%s", r)
	}
	if data, _ := os.ReadFile(hostFile); string(data) != "HOST FILE\n" {
		t.Errorf("host file changed: %q", data)
	}
	var st unix.Stat_t
	if err := unix.Lstat(hostFile, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		t.Errorf("host file is no longer a regular file (%v)", err)
	}
}

// TestDevicesRootless: rootless pocket has no device cgroup; --device
// bind-mounts the host's node where the user may open it and refuses
// clearly where not, and --device-cgroup-rule is refused.
func TestDevicesRootless(t *testing.T) {
	dev, _ := loopDevice(t) // root's, 0600 or 0660 root:disk
	e := newRootlessEnv(t, userWithSubIDs)
	e.must(t, "pull", "busybox")

	if got := e.runOut(t, "--device", "/dev/null:/dev/mynull", "busybox", "sh", "-c",
		"echo x > /dev/mynull && stat -c '%t:%T' /dev/mynull"); got != "1:3" {
		t.Errorf("--device /dev/null:/dev/mynull: got %q, want a working 1:3", got)
	}
	if got := e.out(t, "sh", "-c", "mknod /tmp/l b 7 0 2>&1 | grep -o 'Operation not permitted'"); got != "Operation not permitted" {
		t.Errorf("mknod in a user namespace: got %q, want the kernel's refusal", got)
	}
	// --privileged: the host's nodes, bound; the host's permissions hold.
	if got := e.runOut(t, "--privileged", "busybox", "sh", "-c",
		"echo x > /dev/null && stat -c '%t' "+dev+" && (head -c1 "+dev+") 2>&1 | grep -o 'Permission denied'"); got != "7\nPermission denied" {
		t.Errorf("--privileged: got %q, want the host's %s present but not readable", got, dev)
	}
	for _, tc := range []struct {
		flags []string
		want  string
	}{
		{[]string{"--device", dev}, "your user may not open"},
		{[]string{"--device", "/dev/null:/dev/n:r"}, "rootless pocket has no device cgroup to limit a device to \"r\""},
		{[]string{"--device-cgroup-rule", "b 7:* rwm"}, "rootless pocket has no device cgroup"},
	} {
		r := e.pocket(t, append(append([]string{"run", "--rm"}, tc.flags...), "busybox", "true")...)
		if r.Code != 125 || !strings.Contains(r.Stderr, tc.want) {
			t.Errorf("%v: want exit 125 and %q\n%s", tc.flags, tc.want, r)
		}
	}
}
