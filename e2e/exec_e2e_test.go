//go:build linux

package e2e

import (
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// startContainer runs a detached busybox `sleep` named name with extra run
// flags, and stops it at the end of the test.
func startContainer(t *testing.T, root, name string, flags ...string) {
	t.Helper()
	args := append([]string{"run", "-d", "--name", name, "--network", "none"}, flags...)
	mustPocket(t, root, append(args, "busybox", "sleep", "1000")...)
	t.Cleanup(func() { pocket(t, root, "rm", "-f", name) })
}

// TestExecUlimitGroupAdd: exec'd processes get the container's --ulimit
// and --group-add (also under -u), as Docker's exec, which starts from the
// container's OCI process: the same as the container's own command.
func TestExecUlimitGroupAdd(t *testing.T) {
	root := newRoot(t)
	flags := []string{"--ulimit", "nofile=512:1024", "--group-add", "1234"}
	startContainer(t, root, "lim", flags...)
	const script = "ulimit -n; ulimit -Hn; id -G"
	run := mustPocket(t, root, append(append([]string{"run", "--rm", "--network", "none"}, flags...), "busybox", "sh", "-c", script)...).Stdout
	got := mustPocket(t, root, "exec", "lim", "sh", "-c", script).Stdout
	if l := lines(got); len(l) != 3 || l[0] != "512" || l[1] != "1024" || !slices.Contains(strings.Fields(l[2]), "1234") {
		t.Errorf("exec: %q, want soft 512, hard 1024 and group 1234", got)
	}
	if got != run {
		t.Errorf("exec: %q, the container's own command: %q", got, run)
	}
	if got := mustPocket(t, root, "exec", "-u", "1000", "lim", "id", "-G").Stdout; !slices.Contains(strings.Fields(got), "1234") {
		t.Errorf("exec -u 1000: groups %q, want 1234 among them", got)
	}
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

// waitFor polls cond until it holds, failing the test after commandTimeout.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(commandTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting for %s after %v", what, commandTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// hostProcesses are the host pids whose command line is exactly args.
func hostProcesses(args ...string) []int {
	want := strings.Join(args, "\x00") + "\x00"
	var pids []int
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		if b, err := os.ReadFile("/proc/" + d.Name() + "/cmdline"); err == nil && string(b) == want {
			pids = append(pids, pid)
		}
	}
	return pids
}

// TestExecLifecycle: exec into a stopped container fails as Docker's,
// -d returns once the command runs, an exec'd process dies with the
// container, and exec works in an --init container.
func TestExecLifecycle(t *testing.T) {
	root := newRoot(t)
	t.Run("stopped", func(t *testing.T) {
		mustPocket(t, root, "run", "--name", "stopped", "--network", "none", "busybox", "true")
		id := strings.TrimSpace(mustPocket(t, root, "inspect", "--format", "{{.Id}}", "stopped").Stdout)
		r := pocket(t, root, "exec", "stopped", "true")
		if r.Code != 125 || !strings.Contains(r.Stderr, "container "+id+" is not running") {
			t.Errorf("exec into a stopped container: want 125 and %q\n%s", "container "+id+" is not running", r)
		}
	})
	t.Run("detached", func(t *testing.T) {
		startContainer(t, root, "det")
		r := mustPocket(t, root, "exec", "-d", "det", "sh", "-c", "echo hi >/tmp/d")
		if r.Stdout != "" {
			t.Errorf("exec -d printed %q", r.Stdout)
		}
		waitFor(t, "exec -d's file", func() bool {
			return pocket(t, root, "exec", "det", "cat", "/tmp/d").Stdout == "hi\n"
		})
	})
	t.Run("detached with a tty", func(t *testing.T) {
		// Docker keeps exec -d -t's pty after the client has gone: the
		// command is not hung up and still has its terminal.
		startContainer(t, root, "dett")
		mustPocket(t, root, "exec", "-d", "-t", "dett", "sh", "-c", "sleep 2; tty >/tmp/t; echo ok >/tmp/done")
		waitFor(t, "exec -d -t's file", func() bool {
			return pocket(t, root, "exec", "dett", "cat", "/tmp/done").Stdout == "ok\n"
		})
		if got := mustPocket(t, root, "exec", "dett", "cat", "/tmp/t").Stdout; !strings.HasPrefix(got, "/dev/pts/") {
			t.Errorf("exec -d -t: tty printed %q, want /dev/pts/N", got)
		}
	})
	t.Run("dies with the container", func(t *testing.T) {
		startContainer(t, root, "dies")
		mustPocket(t, root, "exec", "-d", "dies", "sleep", "4242")
		waitFor(t, "the exec'd sleep", func() bool { return len(hostProcesses("sleep", "4242")) == 1 })
		mustPocket(t, root, "kill", "dies")
		mustPocket(t, root, "wait", "dies")
		if pids := hostProcesses("sleep", "4242"); len(pids) != 0 {
			t.Errorf("exec'd process %v outlived its container", pids)
		}
	})
	t.Run("attached exec ends with the container", func(t *testing.T) {
		startContainer(t, root, "ends")
		cmd := pocketCmd(t, root, "exec", "ends", "sleep", "4343")
		done := make(chan result, 1)
		go func() { done <- runToEnd(t, cmd, "pocket exec ends sleep") }()
		waitFor(t, "the exec'd sleep", func() bool { return len(hostProcesses("sleep", "4343")) == 1 })
		mustPocket(t, root, "kill", "ends")
		if r := <-done; r.Code != 137 {
			t.Errorf("exec of a container killed under it: want 137\n%s", r)
		}
	})
	t.Run("--init", func(t *testing.T) {
		startContainer(t, root, "withinit", "--init")
		r := mustPocket(t, root, "exec", "-u", "app", "withinit", "sh", "-c", "id -u; cat /proc/1/cmdline | tr '\\0' ' '")
		// PID 1 is pocket's reaper; the exec'd process is not its child.
		if !strings.HasPrefix(r.Stdout, "1000\n") || !strings.Contains(r.Stdout, "init") {
			t.Errorf("exec in an --init container:\n%s", r)
		}
	})
}

// TestExecCgroup: an exec'd process is in the container's cgroup and
// counts against its memory limit.
func TestExecCgroup(t *testing.T) {
	root := newRoot(t)
	startContainer(t, root, "cg", "-m", "32m", "--memory-swap", "32m")
	want := mustPocket(t, root, "exec", "cg", "cat", "/proc/1/cgroup").Stdout
	if got := mustPocket(t, root, "exec", "cg", "cat", "/proc/self/cgroup").Stdout; got != want {
		t.Errorf("exec'd process's cgroup:\n%s\nPID 1's:\n%s", got, want)
	}
	// A string doubling for ever cannot fit under 32 MiB.
	if r := pocket(t, root, "exec", "cg", "sh", "-c", "x=a; while true; do x=$x$x; done"); r.Code != 137 {
		t.Errorf("exec past the memory limit: want 137 (OOM-killed)\n%s", r)
	}
	if r := mustPocket(t, root, "exec", "cg", "echo", "alive"); r.Stdout != "alive\n" {
		t.Errorf("container after its exec was OOM-killed:\n%s", r)
	}
}

// TestExecRootless: exec as a user without root, into a container whose
// monitor runs in the user's namespace.
func TestExecRootless(t *testing.T) {
	e := newRootlessEnv(t, userWithSubIDs)
	e.must(t, "run", "-d", "--name", "rl", "--network", "none", "busybox", "sleep", "1000")
	t.Cleanup(func() { e.pocket(t, "rm", "-f", "rl") })
	tests := []struct {
		args    []string
		want    string
		code    int
		needIDs bool // uid 1000 exists only with subordinate ids mapped
	}{
		{args: []string{"rl", "id", "-u"}, want: "0\n"},
		{args: []string{"-u", "1000", "rl", "id", "-u"}, want: "1000\n", needIDs: true},
		{args: []string{"rl", "sh", "-c", "exit 7"}, code: 7},
		{args: []string{"rl", "nonexistent"}, code: 127},
		{args: []string{"-t", "rl", "sh", "-c", "test -t 0 && echo tty"}, want: "tty\r\n"},
		{args: []string{"rl", "sh", "-c", "ps -o comm | grep -c sleep"}, want: "1\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			if _, err := exec.LookPath("newuidmap"); err != nil && tt.needIDs {
				t.Skip("no newuidmap (the VM guest): only the user's own id is mapped")
			}
			r := e.pocket(t, append([]string{"exec"}, tt.args...)...)
			if r.Code != tt.code || (tt.code == 0 && r.Stdout != tt.want) {
				t.Errorf("want exit %d and %q\n%s", tt.code, tt.want, r)
			}
		})
	}
	e.must(t, "exec", "-d", "rl", "sleep", "4444")
	waitFor(t, "the exec'd sleep", func() bool { return len(hostProcesses("sleep", "4444")) == 1 })
	if r := e.must(t, "top", "rl"); !strings.Contains(r.Stdout, "sleep 1000") || !strings.Contains(r.Stdout, "sleep 4444") {
		t.Errorf("rootless top:\n%s", r)
	}
	e.must(t, "kill", "rl")
	e.must(t, "wait", "rl")
	if pids := hostProcesses("sleep", "4444"); len(pids) != 0 {
		t.Errorf("rootless exec'd process %v outlived its container", pids)
	}
}

// execInits are the host pids of pocket exec-init processes.
func execInits() []int {
	var pids []int
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		if b, err := os.ReadFile("/proc/" + d.Name() + "/cmdline"); err == nil && strings.HasSuffix(string(b), "\x00exec-init\x00") {
			pids = append(pids, pid)
		}
	}
	return pids
}

// TestExecAttack is CVE-2019-5736 against exec: while pocket's exec-init
// is in the container (held on a FIFO the container made its
// /etc/passwd), the container's root can follow none of its
// /proc/PID/exe, fd or environ, and that exe is no writable handle on
// the host's pocket binary.
func TestExecAttack(t *testing.T) {
	root := newRoot(t)
	// The name is put together so that this script's own command line
	// does not match.
	script := `rm /etc/passwd; mkfifo /etc/passwd; echo ready; n=exec; n=$n-init
while :; do
  for p in /proc/[0-9]*; do
    if [ "$(tr '\0' '\n' < $p/cmdline 2>/dev/null | tail -n 1)" = "$n" ]; then
      readlink $p/exe && echo EXE-READABLE
      for f in $p/fd/*; do readlink $f && echo FD-READABLE; done
      cat $p/environ >/dev/null 2>&1 && echo ENVIRON-READABLE
      echo checked; exec sleep 1000
    fi
  done
done`
	mustPocket(t, root, "run", "-d", "--name", "atk", "--network", "none", "busybox", "sh", "-c", script)
	t.Cleanup(func() { pocket(t, root, "rm", "-f", "atk") })
	logs := func() string { return pocket(t, root, "logs", "atk").Stdout }
	waitFor(t, "the FIFO", func() bool { return strings.Contains(logs(), "ready") })
	pid := strings.TrimSpace(mustPocket(t, root, "inspect", "--format", "{{.State.Pid}}", "atk").Stdout)

	cmd := pocketCmd(t, root, "exec", "atk", "echo", "ran")
	done := make(chan result, 1)
	go func() { done <- runToEnd(t, cmd, "pocket exec atk echo ran") }()
	waitFor(t, "the container's look at exec-init", func() bool { return strings.Contains(logs(), "checked") })
	inits := execInits()
	if len(inits) != 1 {
		t.Fatalf("exec-init processes: %v, want one", inits)
	}
	exe := "/proc/" + strconv.Itoa(inits[0]) + "/exe"
	var bin, got unix.Stat_t
	if err := unix.Stat(pocketBin, &bin); err != nil {
		t.Fatal(err)
	}
	if err := unix.Stat(exe, &got); err != nil {
		t.Fatal(err)
	}
	if got.Dev == bin.Dev && got.Ino == bin.Ino {
		// The same file is acceptable only on a read-only mount.
		var fs unix.Statfs_t
		if err := unix.Statfs(exe, &fs); err != nil {
			t.Fatal(err)
		}
		if fs.Flags&unix.ST_RDONLY == 0 {
			t.Errorf("CVE-2019-5736: exec-init's %s is the host's pocket binary on a writable mount", exe)
		}
	}
	// Let exec-init go on: it reads the container's /etc/passwd.
	f, err := os.OpenFile("/proc/"+pid+"/root/etc/passwd", os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("root:x:0:0:root:/root:/bin/sh\n")
	f.Close()
	if r := <-done; r.Code != 0 || r.Stdout != "ran\n" {
		t.Errorf("exec after the FIFO: want 0 and \"ran\\n\"\n%s", r)
	}
	if l := logs(); strings.Contains(l, "READABLE") {
		t.Errorf("CVE-2019-5736: the container's root reached into exec-init:\n%s", l)
	}
}

// TestTop is `pocket top` as Docker's: ps -ef's columns, the container's
// processes only (exec'd ones too), ps options passed on.
func TestTop(t *testing.T) {
	root := newRoot(t)
	startContainer(t, root, "tp")
	mustPocket(t, root, "exec", "-d", "tp", "sleep", "4545")
	waitFor(t, "the exec'd sleep", func() bool { return len(hostProcesses("sleep", "4545")) == 1 })
	r := mustPocket(t, root, "top", "tp")
	ls := lines(r.Stdout)
	if len(ls) != 3 || strings.Join(strings.Fields(ls[0]), " ") != "UID PID PPID C STIME TTY TIME CMD" ||
		!strings.HasSuffix(ls[1], "sleep 1000") || !strings.HasSuffix(ls[2], "sleep 4545") {
		t.Errorf("pocket top:\n%s", r)
	}
	r = mustPocket(t, root, "top", "tp", "-o", "pid,args")
	if ls := lines(r.Stdout); len(ls) != 3 || strings.Join(strings.Fields(ls[0]), " ") != "PID COMMAND" {
		t.Errorf("pocket top -o pid,args:\n%s", r)
	}
	mustPocket(t, root, "kill", "tp")
	mustPocket(t, root, "wait", "tp")
	if r := pocket(t, root, "top", "tp"); r.Code != 1 || !strings.Contains(r.Stderr, "is not running") {
		t.Errorf("top of a stopped container:\n%s", r)
	}
}
