// Package testregistry runs a real Docker distribution registry (Debian's
// docker-registry) on loopback for pocket's end-to-end tests and benchmarks,
// or go-containerregistry's in-process one where docker-registry cannot run
// (the test VMs).
package testregistry

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Binary is Debian's distribution v2 registry.
const Binary = "/usr/bin/docker-registry"

// ErrMissing means docker-registry is not installed.
var ErrMissing = errors.New("docker-registry not found (hint: apt-get install docker-registry)")

// Registry is a running docker-registry.
type Registry struct {
	Host string // "127.0.0.1:PORT"
	URL  string // "http://127.0.0.1:PORT"
	Dir  string // storage, config and log
	cmd  *exec.Cmd
	done chan error
	srv  *http.Server // the in-process registry
}

// StartInProcess serves go-containerregistry's registry (blobs in memory)
// from this process on a free loopback port: for the test VMs, whose
// initramfs has neither docker-registry nor its configuration.
func StartInProcess() (*Registry, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	host := l.Addr().String()
	r := &Registry{Host: host, URL: "http://" + host, srv: &http.Server{Handler: ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))}}
	go r.srv.Serve(l)
	return r, nil
}

const config = `version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: %s
`

// Options configure a registry that Start would run open and in plain HTTP.
type Options struct {
	// CertFile and KeyFile, when set, make it serve TLS only.
	CertFile, KeyFile string
	// Htpasswd, when set, is an htpasswd file (bcrypt) of the users it
	// accepts; anyone else gets 401.
	Htpasswd string
}

func (o Options) config() string {
	var b strings.Builder
	if o.CertFile != "" {
		fmt.Fprintf(&b, "  tls:\n    certificate: %s\n    key: %s\n", o.CertFile, o.KeyFile)
	}
	if o.Htpasswd != "" {
		fmt.Fprintf(&b, "auth:\n  htpasswd:\n    realm: pocket-test\n    path: %s\n", o.Htpasswd)
	}
	return b.String()
}

// Start runs `docker-registry serve` with storage under dir on a free
// loopback port and returns once GET /v2/ answers.
func Start(dir string) (*Registry, error) { return StartWith(dir, Options{}) }

// StartWith is Start with TLS or authentication.
func StartWith(dir string, o Options) (*Registry, error) {
	bin, err := exec.LookPath(Binary)
	if err != nil {
		return nil, ErrMissing
	}
	if err := os.MkdirAll(filepath.Join(dir, "storage"), 0o755); err != nil {
		return nil, err
	}
	var last error
	for attempt := 0; attempt < 5; attempt++ {
		r, err := start(bin, dir, o)
		if err == nil {
			return r, nil
		}
		last = err
	}
	return nil, last
}

func start(bin, dir string, o Options) (*Registry, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	host := fmt.Sprintf("127.0.0.1:%d", port)
	cfg := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfg, append(fmt.Appendf(nil, config, filepath.Join(dir, "storage"), host), o.config()...), 0o644); err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "registry.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd := exec.Command(bin, "serve", cfg)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start docker-registry: %w", err)
	}
	r := &Registry{Host: host, URL: "http://" + host, Dir: dir, cmd: cmd, done: make(chan error, 1)}
	client := http.DefaultClient
	if o.CertFile != "" {
		r.URL = "https://" + host
		// Only to see it answer: the tests check its certificate themselves.
		client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	}
	go func() { r.done <- cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-r.done:
			r.done <- err
			log, _ := os.ReadFile(logf.Name())
			return nil, fmt.Errorf("docker-registry exited: %v: %s", err, lastLines(string(log), 5))
		default:
		}
		resp, err := client.Get(r.URL + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK || (o.Htpasswd != "" && resp.StatusCode == http.StatusUnauthorized) {
				return r, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	r.Stop()
	return nil, fmt.Errorf("docker-registry on %s: no answer on /v2/ within 30s (see %s)", host, logf.Name())
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func lastLines(s string, n int) string {
	ls := strings.Split(strings.TrimSpace(s), "\n")
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	return strings.Join(ls, "\n")
}

// Ref turns a repository path with tag or digest ("library/busybox:latest")
// into a reference on this registry; a ref already naming r.Host is kept.
func (r *Registry) Ref(ref string) (name.Reference, error) {
	if !strings.HasPrefix(ref, r.Host+"/") {
		ref = r.Host + "/" + ref
	}
	return name.ParseReference(ref, name.Insecure, name.StrictValidation)
}

// Push uploads img as ref ("library/busybox:latest").
func (r *Registry) Push(ref string, img v1.Image) error {
	tag, err := r.Ref(ref)
	if err != nil {
		return err
	}
	if err := remote.Write(tag, img, remote.WithContext(context.Background())); err != nil {
		return fmt.Errorf("push %s: %w", tag, err)
	}
	return nil
}

// PushIndex uploads idx and all its images as ref.
func (r *Registry) PushIndex(ref string, idx v1.ImageIndex) error {
	tag, err := r.Ref(ref)
	if err != nil {
		return err
	}
	if err := remote.WriteIndex(tag, idx); err != nil {
		return fmt.Errorf("push %s: %w", tag, err)
	}
	return nil
}

// Stop terminates the registry and waits for it.
func (r *Registry) Stop() error {
	if r != nil && r.srv != nil {
		return r.srv.Close()
	}
	if r == nil || r.cmd == nil || r.cmd.Process == nil {
		return nil
	}
	r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		r.cmd.Process.Kill()
		<-r.done
	}
	return nil
}
