package e2e

import (
	"strings"
	"testing"
)

// startContainer runs a detached busybox `sleep` named name with extra run
// flags, and stops it at the end of the test.
func startContainer(t *testing.T, root, name string, flags ...string) {
	t.Helper()
	args := append([]string{"run", "-d", "--name", name, "--network", "none"}, flags...)
	mustPocket(t, root, append(args, "busybox", "sleep", "1000")...)
	t.Cleanup(func() { pocket(t, root, "rm", "-f", name) })
}

// TestExec is `pocket exec` as Docker's: the command's status, 126 and 127,
// the container's environment under exec's -e, its user unless -u, -w,
// stdin with -i.
func TestExec(t *testing.T) {
	root := newRoot(t)
	startContainer(t, root, "ex", "-e", "FROM_RUN=run", "-e", "BOTH=run", "-w", "/tmp")
	tests := []struct {
		name   string
		args   []string
		stdin  string
		want   string
		code   int
		stderr string
	}{
		{name: "echo", args: []string{"ex", "echo", "hi"}, want: "hi\n"},
		{name: "status", args: []string{"ex", "sh", "-c", "exit 3"}, code: 3},
		{name: "killed", args: []string{"ex", "sh", "-c", "kill -TERM $$"}, code: 143},
		{name: "not found", args: []string{"ex", "nonexistent"}, code: 127, stderr: `exec: "nonexistent": executable file not found in $PATH`},
		{name: "not executable", args: []string{"ex", "/etc/passwd"}, code: 126, stderr: "/etc/passwd"},
		{name: "a directory", args: []string{"ex", "/etc"}, code: 126, stderr: "/etc"},
		{name: "env merge", args: []string{"-e", "BOTH=exec", "-e", "NEW=x", "ex", "sh", "-c", "echo $FROM_RUN $BOTH $NEW $HOSTNAME"}, want: "run exec x " + "HOST\n"},
		{name: "workdir of the container", args: []string{"ex", "pwd"}, want: "/tmp\n"},
		{name: "-w", args: []string{"-w", "/etc", "ex", "pwd"}, want: "/etc\n"},
		{name: "-u 1000", args: []string{"-u", "1000", "ex", "id"}, want: "uid=1000(app) gid=1000(app) groups=50(staff),1000(app),2000(extra)\n"},
		{name: "root by default", args: []string{"ex", "id", "-u"}, want: "0\n"},
		{name: "stdin with -i", args: []string{"-i", "ex", "cat"}, stdin: "in\n", want: "in\n"},
		{name: "no stdin without -i", args: []string{"ex", "cat"}, stdin: "in\n", want: ""},
		{name: "stderr", args: []string{"ex", "sh", "-c", "echo err >&2"}, stderr: "err\n"},
		{name: "no tty", args: []string{"ex", "sh", "-c", "test -t 0 || echo none"}, want: "none\n"},
		{name: "tty with -t", args: []string{"-t", "ex", "sh", "-c", "test -t 0 && test -t 1 && echo $TERM"}, want: "xterm\r\n"},
		{name: "same namespaces", args: []string{"ex", "sh", "-c", "hostname; ps -o comm | grep -c sleep"}, want: "HOST\n1\n"},
		{name: "default capabilities", args: []string{"ex", "grep", "CapEff", "/proc/self/status"}, want: "CapEff:\t00000000a80425fb\n"},
		{name: "--privileged", args: []string{"--privileged", "ex", "sh", "-c", "grep CapEff /proc/self/status | grep -vq a80425fb && echo all"}, want: "all\n"},
		{name: "seccomp", args: []string{"ex", "sh", "-c", "grep Seccomp: /proc/self/status"}, want: "Seccomp:\t2\n"},
		{name: "no such container", args: []string{"nope", "true"}, code: 125, stderr: "no such container: nope"},
		{name: "no command", args: []string{"ex"}, code: 1, stderr: "requires at least 2 arguments"},
	}
	host := strings.TrimSpace(mustPocket(t, root, "inspect", "--format", "{{.Config.Hostname}}", "ex").Stdout)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := pocketCmd(t, root, append([]string{"exec"}, tt.args...)...)
			cmd.Stdin = strings.NewReader(tt.stdin)
			r := runToEnd(t, cmd, "pocket exec")
			if r.Code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", r.Code, tt.code, r)
			}
			if want := strings.ReplaceAll(tt.want, "HOST", host); r.Stdout != want {
				t.Errorf("stdout %q, want %q\n%s", r.Stdout, want, r)
			}
			if !strings.Contains(r.Stderr, tt.stderr) {
				t.Errorf("stderr %q, want it to contain %q", r.Stderr, tt.stderr)
			}
		})
	}
}
