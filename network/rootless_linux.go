package network

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// rootlessTools is the order StartRootless tries user-mode networking
// tools in; tests change it to exercise each one.
var rootlessTools = []string{"pasta", "slirp4netns"}

// StartRootless gives the network namespace of pid (typically owned by an
// unprivileged user namespace) a user-mode connection to the host's network
// with pasta (Debian's passt package) or, failing that, slirp4netns, and
// forwards ports from the host to it. Unprivileged, host ports must be
// above 1023; HostPort 0 picks a free one (written back into ports).
// The tool runs as a child of the caller until stop is called or the
// caller dies (Pdeathsig), so the caller must outlive the container, as
// pocket's monitor process does. Pdeathsig follows the calling OS thread:
// do not call StartRootless from a goroutine that exits locked to its thread.
func StartRootless(pid int, ports []Port) (stop func() error, err error) {
	for i := range ports {
		p := &ports[i]
		if p.Proto == "" {
			p.Proto = "tcp"
		}
		if p.HostPort == 0 {
			port, err := freePort(*p)
			if err != nil {
				return nil, fmt.Errorf("find free host port for %d/%s: %w", p.ContainerPort, p.Proto, err)
			}
			p.HostPort = port
		}
		if p.HostPort < 1024 && os.Geteuid() != 0 {
			return nil, fmt.Errorf("publish %s: host port %d is privileged (hint: use a host port above 1023 or lower net.ipv4.ip_unprivileged_port_start)", p, p.HostPort)
		}
	}
	for _, tool := range rootlessTools {
		path, err := exec.LookPath(tool)
		if err != nil {
			continue
		}
		if tool == "pasta" {
			return startPasta(path, pid, ports)
		}
		return startSlirp(path, pid, ports)
	}
	return nil, ErrNoRootlessTool
}

// startPasta runs pasta in the foreground as our child; it writes its pid
// file once the namespace is configured and the ports are bound.
func startPasta(path string, pid int, ports []Port) (func() error, error) {
	dir, err := os.MkdirTemp("", "pocket-pasta-")
	if err != nil {
		return nil, err
	}
	pidFile := filepath.Join(dir, "pid")
	args := []string{"--config-net", "--foreground", "--quiet", "--pid", pidFile,
		// IPv4 only, as the bridge: pasta refuses to start on a host
		// without an IPv6 route otherwise.
		"--ipv4-only",
		// Like Docker, containers do not reach the host's loopback.
		"--no-map-gw", "-T", "none", "-U", "none"}
	if os.Geteuid() == 0 {
		// pasta drops root to nobody unless told otherwise, and nobody
		// may not enter a root-owned user namespace.
		args = append(args, "--runas", "0")
	}
	var tcp, udp []string
	for _, p := range ports {
		spec := fmt.Sprintf("%d:%d", p.HostPort, p.ContainerPort)
		if p.HostIP != "" {
			spec = p.HostIP + "/" + spec
		}
		if p.Proto == "udp" {
			udp = append(udp, spec)
		} else {
			tcp = append(tcp, spec)
		}
	}
	for _, f := range []struct {
		flag  string
		specs []string
	}{{"-t", tcp}, {"-u", udp}} {
		if len(f.specs) == 0 {
			args = append(args, f.flag, "none")
		}
		for _, s := range f.specs {
			args = append(args, f.flag, s)
		}
	}
	// The namespace goes by an inherited descriptor, not the pid: pasta
	// drops capabilities before it opens the target, and inside rootless
	// pocket's user namespace a process with fewer capabilities than the
	// container's init may not open /proc/PID/ns/* (ptrace access rules).
	// Without --userns pasta stays in its own user namespace, which owns
	// the container's network namespace (rootless) or is an ancestor of
	// its owner (root).
	netns, err := os.Open(fmt.Sprintf("/proc/%d/ns/net", pid))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	defer netns.Close()
	args = append(args, "--netns", "/proc/self/fd/3")
	cmd := exec.Command(path, args...)
	cmd.ExtraFiles = []*os.File{netns}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start pasta: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() error {
		defer os.RemoveAll(dir)
		cmd.Process.Signal(syscall.SIGTERM)
		<-exited
		return nil
	}
	// Wait for the pid file: pasta writes it when set up is done.
	for deadline := time.Now().Add(30 * time.Second); ; {
		select {
		case err := <-exited:
			os.RemoveAll(dir)
			return nil, fmt.Errorf("pasta for pid %d: %v: %s", pid, err, firstLine(stderr.String()))
		case <-time.After(20 * time.Millisecond):
		}
		if b, err := os.ReadFile(pidFile); err == nil && len(b) > 0 {
			return stop, nil
		}
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("pasta for pid %d: not ready after 30s", pid)
		}
	}
}

// startSlirp runs slirp4netns as our child, waits for it to configure the
// namespace and adds the port forwards through its API socket.
func startSlirp(path string, pid int, ports []Port) (func() error, error) {
	dir, err := os.MkdirTemp("", "pocket-slirp-")
	if err != nil {
		return nil, err
	}
	sock := filepath.Join(dir, "api.sock")
	ready, readyW, err := os.Pipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	defer ready.Close()
	cmd := exec.Command(path, "--configure", "--mtu=65520", "--disable-host-loopback",
		"--ready-fd=3", "--api-socket", sock, strconv.Itoa(pid), "tap0")
	cmd.ExtraFiles = []*os.File{readyW}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		readyW.Close()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start slirp4netns: %w", err)
	}
	readyW.Close()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() error {
		defer os.RemoveAll(dir)
		cmd.Process.Signal(syscall.SIGTERM)
		<-exited
		return nil
	}
	// slirp4netns writes "1" on the ready fd; EOF means it died.
	b := make([]byte, 1)
	if n, _ := ready.Read(b); n != 1 {
		err := <-exited
		os.RemoveAll(dir)
		return nil, fmt.Errorf("slirp4netns for pid %d: %v: %s", pid, err, firstLine(stderr.String()))
	}
	for _, p := range ports {
		if err := slirpForward(sock, p); err != nil {
			stop()
			return nil, fmt.Errorf("slirp4netns publish %s: %w", p, err)
		}
	}
	return stop, nil
}

// slirpForward asks slirp4netns to forward one port (its JSON API).
func slirpForward(sock string, p Port) error {
	c, err := net.Dial("unix", sock)
	if err != nil {
		return err
	}
	defer c.Close()
	hostAddr := p.HostIP
	if hostAddr == "" {
		hostAddr = "0.0.0.0"
	}
	req := map[string]any{"execute": "add_hostfwd", "arguments": map[string]any{
		"proto": p.Proto, "host_addr": hostAddr, "host_port": p.HostPort, "guest_port": p.ContainerPort,
	}}
	if err := json.NewEncoder(c).Encode(req); err != nil {
		return err
	}
	c.(*net.UnixConn).CloseWrite()
	var resp struct {
		Error *struct {
			Desc string `json:"desc"`
		} `json:"error"`
	}
	line, err := bufio.NewReader(c).ReadBytes('\n')
	if err != nil && len(line) == 0 {
		return fmt.Errorf("read reply: %w", err)
	}
	if err := json.Unmarshal(line, &resp); err != nil {
		return fmt.Errorf("read reply %q: %w", line, err)
	}
	if resp.Error != nil {
		return errors.New(resp.Error.Desc)
	}
	return nil
}

// firstLine is the first line of a tool's stderr that is not about syslog
// (pasta complains when there is no syslog socket).
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.Contains(l, "syslog") {
			return l
		}
	}
	return "no error message"
}
