package ns

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name string
		args []string
		edit func(*Config)
		want result
	}{
		{
			name: "command is pid 1",
			args: []string{"sh", "-c", "echo $$"},
			want: result{Stdout: "1\n"},
		},
		{
			name: "hostname",
			args: []string{"hostname"},
			want: result{Stdout: "pockettest\n"},
		},
		{
			name: "env home and a created cwd",
			args: []string{"sh", "-c", "pwd; echo $FOO; echo $HOME"},
			edit: func(c *Config) {
				c.Process.Cwd = "/work/deep"
				c.Process.Env = append(c.Process.Env, "FOO=bar")
			},
			want: result{Stdout: "/work/deep\nbar\n/root\n"},
		},
		{
			name: "exit status",
			args: []string{"sh", "-c", "exit 3"},
			want: result{Code: 3},
		},
		{
			name: "not found",
			args: []string{"foo"},
			want: result{Code: 127, Err: &Error{Code: 127, Message: `exec: "foo": executable file not found in $PATH`}},
		},
		{
			name: "not executable",
			args: []string{"/etc"},
			want: result{Code: 126, Err: &Error{Code: 126, Message: `exec: "/etc": permission denied`}},
		},
		{
			name: "unknown user",
			args: []string{"id"},
			edit: func(c *Config) { c.Process.User = "foo" },
			want: result{Code: 125, Err: &Error{Code: 125, Message: "unable to find user foo: no matching entries in passwd file"}},
		},
		{
			name: "terminal from the container's devpts",
			args: []string{"sh", "-c", "tty; stty size; stat -c %U /dev/pts/0; echo $(ls /proc/self/fd)"},
			edit: func(c *Config) {
				c.Process.Terminal = true
				c.Process.User = "app"
			},
			want: result{Stdout: "/dev/pts/0\r\n24 80\r\napp\r\n0 1 2 3\r\n"},
		},
		{
			name: "terminal under the reaper",
			args: []string{"sh", "-c", "tty; [ $$ != 1 ] && echo under-init"},
			edit: func(c *Config) {
				c.Process.Terminal = true
				c.Process.Init = true
			},
			want: result{Stdout: "/dev/pts/0\r\nunder-init\r\n"},
		},
		{
			name: "read-only proc/sys",
			args: []string{"sh", "-c", "if echo x 2>/dev/null >/proc/sys/kernel/hostname; then echo writable; else echo refused; fi"},
			want: result{Stdout: "refused\n"},
		},
		{
			name: "only stdio is inherited",
			args: []string{"ls", "/proc/self/fd"},
			want: result{Stdout: "0\n1\n2\n3\n"},
		},
		{
			name: "devices",
			args: []string{"sh", "-c", "test -c /dev/null && test -c /dev/urandom && test -c /dev/tty && test -L /dev/ptmx && test -c /dev/pts/ptmx && test -d /dev/shm && test -d /dev/mqueue && echo hi >/dev/null && echo ok"},
			want: result{Stdout: "ok\n"},
		},
		{
			name: "default capabilities",
			args: []string{"grep", "-E", "^Cap(Eff|Bnd|Inh)", "/proc/self/status"},
			want: result{Stdout: "CapInh:\t0000000000000000\nCapEff:\t00000000a80425fb\nCapBnd:\t00000000a80425fb\n"},
		},
		{
			name: "cap-drop ALL",
			args: []string{"grep", "-E", "^Cap(Eff|Bnd)", "/proc/self/status"},
			edit: func(c *Config) { c.Security.CapDrop = []string{"all"} },
			want: result{Stdout: "CapEff:\t0000000000000000\nCapBnd:\t0000000000000000\n"},
		},
		{
			name: "cap-drop ALL cap-add NET_ADMIN",
			args: []string{"grep", "-E", "^CapEff", "/proc/self/status"},
			edit: func(c *Config) {
				c.Security.CapDrop = []string{"ALL"}
				c.Security.CapAdd = []string{"net_admin"}
			},
			want: result{Stdout: "CapEff:\t0000000000001000\n"},
		},
		{
			name: "non-root user has no effective caps",
			args: []string{"grep", "-E", "^Cap(Eff|Bnd)", "/proc/self/status"},
			edit: func(c *Config) { c.Process.User = "app" },
			want: result{Stdout: "CapEff:\t0000000000000000\nCapBnd:\t00000000a80425fb\n"},
		},
		{
			name: "no new privileges",
			args: []string{"grep", "NoNewPrivs", "/proc/self/status"},
			edit: func(c *Config) { c.Security.NoNewPrivileges = true },
			want: result{Stdout: "NoNewPrivs:\t1\n"},
		},
		{
			name: "loopback is up with network none",
			args: []string{"cat", "/sys/class/net/lo/flags"},
			want: result{Stdout: "0x9\n"},
		},
		{
			name: "read-only rootfs",
			args: []string{"sh", "-c", "if touch /x 2>/dev/null; then echo writable; else echo refused; fi; touch /dev/shm/y && echo shm"},
			edit: func(c *Config) { c.Rootfs.ReadOnly = true },
			want: result{Stdout: "refused\nshm\n"},
		},
		{
			name: "read-only sys",
			args: []string{"sh", "-c", "if echo 1 2>/dev/null >/sys/kernel/uevent_helper; then echo writable; else echo refused; fi"},
			want: result{Stdout: "refused\n"},
		},
		{
			name: "init reaps and keeps the status",
			args: []string{"sh", "-c", "test $$ != 1 && cat /proc/1/status | grep -c ^NSpid; sleep 0 & wait; exit 7"},
			edit: func(c *Config) { c.Process.Init = true },
			want: result{Stdout: "1\n", Code: 7},
		},
		{
			name: "init reports a signal death as 128+n",
			args: []string{"sh", "-c", "kill -9 $$"},
			edit: func(c *Config) { c.Process.Init = true },
			want: result{Code: 137},
		},
		{
			name: "init reports not found",
			args: []string{"foo"},
			edit: func(c *Config) { c.Process.Init = true },
			want: result{Code: 127, Err: &Error{Code: 127, Message: `exec: "foo": executable file not found in $PATH`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := newConfig(t, tt.args...)
			if tt.edit != nil {
				tt.edit(cfg)
			}
			got := run(t, cfg)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("run %q (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}

func TestUsers(t *testing.T) {
	tests := []struct {
		user string
		want string
	}{
		{"", "uid=0(root) gid=0(root) groups=0(root)\n"},
		{"app", "uid=1000(app) gid=1000(app) groups=10(wheel),29(audio),1000(app)\n"},
		{"1000", "uid=1000(app) gid=1000(app) groups=10(wheel),29(audio),1000(app)\n"},
		{"1000:10", "uid=1000(app) gid=10(wheel) groups=10(wheel)\n"},
		{"app:audio", "uid=1000(app) gid=29(audio) groups=29(audio)\n"},
		{"4242", "uid=4242 gid=0(root) groups=0(root)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			cfg := newConfig(t, "id")
			cfg.Process.User = tt.user
			got := run(t, cfg)
			if diff := cmp.Diff(result{Stdout: tt.want}, got); diff != "" {
				t.Errorf("id as %q (-want +got):\n%s", tt.user, diff)
			}
		})
	}
}

// TestMaskedPaths checks Docker's masked paths that this kernel has: files
// read empty, directories list empty.
func TestMaskedPaths(t *testing.T) {
	var script, want strings.Builder
	for _, p := range maskedPaths {
		st, err := os.Stat(p)
		if err != nil {
			continue
		}
		if st.IsDir() {
			fmt.Fprintf(&script, "ls -A %s | wc -l; ", p)
		} else {
			fmt.Fprintf(&script, "wc -c <%s; ", p)
		}
		want.WriteString("0\n")
	}
	if want.Len() == 0 {
		t.Skip("this kernel has none of the masked paths")
	}
	got := run(t, newConfig(t, "sh", "-c", script.String()))
	if diff := cmp.Diff(result{Stdout: want.String()}, got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", script.String(), diff)
	}
}
