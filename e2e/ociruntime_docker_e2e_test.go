//go:build linux

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOCIRuntimeDocker: Docker with pocket-runc named in daemon.json's
// "runtimes" runs containers through it (dockerd hands the path to
// containerd's runc v2 shim as its binary): an image `pocket save` wrote,
// loaded with docker load, runs with --runtime pocket; exec goes through
// the runtime too. The daemon is a private one (its own containerd, data
// root, exec root and socket; no bridge and no iptables rules), never
// the host's.
func TestOCIRuntimeDocker(t *testing.T) {
	dockerd, err := exec.LookPath("dockerd")
	if err != nil {
		t.Fatalf("dockerd: %v (hint: testdata/setup.sh installs Debian's docker.io)", err)
	}
	// Debian's CLI, of the daemon's version, before another on PATH.
	docker := "/usr/bin/docker"
	if _, err := os.Stat(docker); err != nil {
		if docker, err = exec.LookPath("docker"); err != nil {
			t.Fatalf("docker: %v (hint: testdata/setup.sh installs Debian's docker.io)", err)
		}
	}
	runc := runcBin(t)
	root := newRoot(t)
	mustPocket(t, root, "pull", "busybox")
	archive := filepath.Join(t.TempDir(), "busybox.tar")
	mustPocket(t, root, "save", "-o", archive, "busybox")
	c := startContainerd(t)

	// Short paths: dockerd makes unix sockets under its roots.
	dir, err := os.MkdirTemp("", "pdk")
	if err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "daemon.json")
	if err := os.WriteFile(config, []byte(fmt.Sprintf(`{"runtimes":{"pocket":{"path":%q}}}`, runc)), 0o644); err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(dir, "dockerd.log"))
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "docker.sock")
	cmd := exec.Command(dockerd, "--config-file", config, "--containerd", c.addr,
		"--data-root", filepath.Join(dir, "data"), "--exec-root", filepath.Join(dir, "exec"),
		"--pidfile", filepath.Join(dir, "docker.pid"), "-H", "unix://"+sock,
		"--iptables=false", "--ip6tables=false", "--ip-masq=false", "--bridge=none")
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	dockerCmd := func(args ...string) *exec.Cmd {
		cmd := exec.Command(docker, args...)
		cmd.Env = append(os.Environ(), "DOCKER_HOST=unix://"+sock)
		return cmd
	}
	run := func(args ...string) result {
		t.Helper()
		return runToEnd(t, dockerCmd(args...), "docker "+strings.Join(args, " "))
	}
	must := mustSucceed(t, "docker", run)
	t.Cleanup(func() {
		run("rm", "-f", "long")
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("dockerd log:\n%s", b)
		}
		// The daemon's overlay mounts live under its data root.
		if b, err := os.ReadFile("/proc/self/mounts"); err == nil {
			for _, l := range lines(string(b)) {
				if f := strings.Fields(l); len(f) > 1 && strings.HasPrefix(f[1], dir+"/") {
					syscall.Unmount(f[1], syscall.MNT_DETACH)
				}
			}
		}
		os.RemoveAll(dir)
	})
	deadline := time.Now().Add(commandTimeout)
	for run("info").Code != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("dockerd did not answer on %s", sock)
		}
		time.Sleep(100 * time.Millisecond)
	}

	must("load", "-q", "-i", archive)
	const image = "busybox:latest"
	if res := must("run", "--rm", "--runtime", "pocket", "--network", "none", image, "echo", "hi"); res.Stdout != "hi\n" {
		t.Errorf("docker run: stdout %q, want hi", res.Stdout)
	}
	if res := run("run", "--rm", "--runtime", "pocket", "--network", "none", image, "sh", "-c", "exit 5"); res.Code != 5 {
		t.Errorf("docker run of exit 5: %s", res)
	}
	must("run", "-d", "--name", "long", "--runtime", "pocket", "--network", "none", image, "sleep", "1000")
	if res := must("inspect", "-f", "{{.HostConfig.Runtime}}", "long"); strings.TrimSpace(res.Stdout) != "pocket" {
		t.Errorf("docker inspect runtime: %q", res.Stdout)
	}
	if res := must("exec", "long", "sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '"); res.Stdout != "sleep 1000 " {
		t.Errorf("docker exec: stdout %q", res.Stdout)
	}
	must("rm", "-f", "long")
}
