//go:build linux

package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// result is what the guest reported.
type result struct {
	code   int    // the e2e test binary's exit status
	output string // the serial console from POCKET-VM-START on (all of it if the tests never started)
}

// boot runs the guest under TCG (nested KVM hangs on the CI host) and
// reads its serial console until the result line, copying it to logPath.
func boot(a arch, k kernel, initrd, logPath string, timeout time.Duration) (result, error) {
	args := append([]string{"-accel", "tcg"}, a.machine...)
	args = append(args, "-smp", "2", "-m", "1536", "-nodefaults", "-display", "none", "-serial", "stdio", "-no-reboot",
		"-kernel", k.image, "-initrd", initrd,
		"-append", "console="+a.console+" panic=-1 quiet loglevel=3")
	cmd := exec.Command(a.qemu, args...)
	cmd.Stdin = nil
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	logf, err := os.Create(logPath)
	if err != nil {
		return result{}, err
	}
	defer logf.Close()
	if err := cmd.Start(); err != nil {
		return result{}, fmt.Errorf("start %s: %w (hint: apt-get install %s)", a.qemu, err, strings.Join(a.packages, " "))
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); pw.Close() }()

	var all, tests strings.Builder
	res := result{code: -1}
	started := false
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			lines <- strings.TrimRight(sc.Text(), "\r")
		}
		close(lines)
	}()
	deadline := time.After(timeout)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				werr := <-exited
				res.output = all.String()
				if started {
					res.output = tests.String()
				}
				if res.code < 0 {
					return res, fmt.Errorf("%s guest ended without a result (qemu: %v)", a.goarch, werr)
				}
				return res, nil
			}
			fmt.Fprintln(logf, l)
			all.WriteString(l + "\n")
			switch {
			case l == "POCKET-VM-START":
				started = true
			case strings.HasPrefix(l, "POCKET-VM-RESULT "):
				res.code, _ = strconv.Atoi(strings.TrimPrefix(l, "POCKET-VM-RESULT "))
			case strings.HasPrefix(l, "POCKET-VM-"):
				fmt.Println("vm:", strings.TrimPrefix(l, "POCKET-VM-"))
			case started:
				tests.WriteString(l + "\n")
			}
		case <-deadline:
			cmd.Process.Kill()
			res.output = all.String()
			return res, fmt.Errorf("%s guest: no result after %v (log: %s)", a.goarch, timeout, logPath)
		}
	}
}
