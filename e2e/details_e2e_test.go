//go:build linux

package e2e

// The small runtime details Docker users notice, each as Docker 20.10
// shows it: files, mounts, limits, the environment, inspect's shape.

import (
	"encoding/json"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDetailsRuntime(t *testing.T) {
	root := newRoot(t)
	script := `readlink /etc/mtab; ls /dev | tr '\n' ' '; echo
grep -E ' /etc/(hosts|hostname|resolv.conf) | /t ' /proc/mounts | awk '{print $2, substr($4, 1, 2)}' | sort
grep ' /t ' /proc/mounts | grep -q noexec && echo t-noexec
ulimit -n; ulimit -Hn`
	r := mustPocket(t, root, "run", "--rm", "--read-only", "--network", "none", "--mount", "type=tmpfs,target=/t",
		"busybox", "sh", "-c", script)
	l := lines(r.Stdout)
	if len(l) != 9 {
		t.Fatalf("output: %s", r)
	}
	if l[0] != "/proc/mounts" {
		t.Errorf("/etc/mtab -> %q, want /proc/mounts", l[0])
	}
	// runc's rule: /dev/core only where the kernel has /proc/kcore.
	_, kcore := os.Stat("/proc/kcore")
	if has := strings.Contains(" "+l[1], " core "); has != (kcore == nil) {
		t.Errorf("/dev: %q; host /proc/kcore: %v", l[1], kcore)
	}
	// --read-only: Docker mounts the files it writes read-only too; a
	// --mount tmpfs is noexec like --tmpfs.
	if diff := cmp.Diff([]string{"/etc/hostname ro", "/etc/hosts ro", "/etc/resolv.conf ro", "/t rw", "t-noexec"}, l[2:7]); diff != "" {
		t.Errorf("mounts (-want +got):\n%s", diff)
	}
	var in struct{ DefaultNofile string }
	if err := json.Unmarshal([]byte(mustPocket(t, root, "info", "--format", "{{json .}}").Stdout), &in); err != nil {
		t.Fatal(err)
	}
	limit, _, _ := strings.Cut(in.DefaultNofile, " ")
	if l[7] != limit || l[8] != limit {
		t.Errorf("nofile soft %s hard %s, want info's %q", l[7], l[8], in.DefaultNofile)
	}
	// Docker's CreateDaemonEnvironment: PATH, HOSTNAME, then the config
	// (env, not a shell, prints the environment as exec gave it).
	env := lines(mustPocket(t, root, "run", "--rm", "--network", "none", "-e", "X=1", "busybox", "env").Stdout)
	if len(env) < 3 || !strings.HasPrefix(env[0], "PATH=") || !strings.HasPrefix(env[1], "HOSTNAME=") || env[2] != "X=1" {
		t.Errorf("env order: %q", env)
	}
}

// inspect's documents as Docker 20.10 writes them, and ps/images JSON.
func TestDetailsInspectShapes(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "run", "--name", "shape", "--cap-add", "NET_ADMIN", "-e", "X=1", "-p", "80", "busybox", "sh", "-c",
		"cat /sys/class/net/eth0/address")
	r := mustPocket(t, root, "run", "--rm", "busybox", "cat", "/sys/class/net/eth0/address")
	if mac := strings.TrimSpace(r.Stdout); !strings.HasPrefix(mac, "02:42:") {
		t.Errorf("eth0 address %q, want Docker's 02:42:<IPv4>", mac)
	}
	var in []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(mustPocket(t, root, "inspect", "shape").Stdout), &in); err != nil || len(in) != 1 {
		t.Fatalf("inspect: %v", err)
	}
	for _, k := range []string{"ResolvConfPath", "HostnamePath", "HostsPath", "Driver", "GraphDriver", "RestartCount", "Platform", "ExecIDs"} {
		if _, ok := in[0][k]; !ok {
			t.Errorf("inspect lacks %s", k)
		}
	}
	for _, tc := range []struct{ format, want string }{
		{"{{json .HostConfig.CapAdd}}", `["NET_ADMIN"]`},
		{"{{.HostConfig.NetworkMode}}", "bridge"},
		{"{{json .Config.Env}}", `["X=1","PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]`},
		{"{{.Driver}} {{.Platform}}", "overlay2 linux"},
		{"{{json .HostConfig.PortBindings}}", `{"80/tcp":[{"HostIp":"","HostPort":""}]}`},
		{"{{.HostConfig.LogConfig.Type}}", "json-file"},
	} {
		if got := strings.TrimSpace(mustPocket(t, root, "inspect", "-f", tc.format, "shape").Stdout); got != tc.want {
			t.Errorf("inspect -f %s: %q, want %q", tc.format, got, tc.want)
		}
	}
	var ps map[string]string
	if err := json.Unmarshal([]byte(mustPocket(t, root, "ps", "-a", "--format", "json").Stdout), &ps); err != nil {
		t.Fatal(err)
	}
	keys := slices.Sorted(maps.Keys(ps))
	want := []string{"Command", "CreatedAt", "ID", "Image", "Labels", "LocalVolumes", "Mounts", "Names", "Networks",
		"Ports", "RunningFor", "Size", "State", "Status"}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("ps --format json keys (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(ps["Command"], `"sh -c `) || !strings.HasSuffix(ps["Command"], `"`) {
		t.Errorf("ps Command %q: want it quoted as Docker", ps["Command"])
	}
}
