package pull

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// CertsDir holds a directory per registry (HOST[:PORT]) with the files
// Docker reads there: *.crt are CAs trusted for that registry besides the
// system's, each *.cert with the *.key of the same name is a client
// certificate. Tests point it elsewhere.
var CertsDir = "/etc/docker/certs.d"

// certsTransport gives each registry host the TLS configuration its
// CertsDir entry asks for, as dockerd does; hosts without one share the
// default transport.
type certsTransport struct {
	mu    sync.Mutex
	hosts map[string]http.RoundTripper
	dflt  http.RoundTripper
}

func newCertsTransport() *certsTransport {
	return &certsTransport{hosts: map[string]http.RoundTripper{}, dflt: remote.DefaultTransport}
}

func (t *certsTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rt, err := t.forHost(req.URL.Host)
	if err != nil {
		return nil, err
	}
	return rt.RoundTrip(req)
}

func (t *certsTransport) forHost(host string) (http.RoundTripper, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if rt, ok := t.hosts[host]; ok {
		return rt, nil
	}
	cfg, err := tlsConfig(filepath.Join(CertsDir, host))
	if err != nil {
		return nil, err
	}
	rt := t.dflt
	if cfg != nil {
		tr := remote.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = cfg
		rt = tr
	}
	t.hosts[host] = rt
	return rt, nil
}

// tlsConfig reads one registry's certs.d directory, or returns nil when
// there is none. The names are Docker's (registry/config.go, ReadCertsDirectory).
func tlsConfig(dir string) (*tls.Config, error) {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) || (err == nil && len(entries) == 0) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("registry certificates %s: %w", dir, err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	cfg := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	for _, e := range entries {
		n := e.Name()
		p := filepath.Join(dir, n)
		switch {
		case strings.HasSuffix(n, ".crt"):
			pem, err := os.ReadFile(p)
			if err != nil {
				return nil, fmt.Errorf("registry CA %s: %w", p, err)
			}
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("registry CA %s: no PEM certificate", p)
			}
		case strings.HasSuffix(n, ".cert"):
			key := strings.TrimSuffix(p, ".cert") + ".key"
			pair, err := tls.LoadX509KeyPair(p, key)
			if err != nil {
				return nil, fmt.Errorf("registry client certificate %s: %w (hint: it needs %s beside it)", p, err, filepath.Base(key))
			}
			cfg.Certificates = append(cfg.Certificates, pair)
		case strings.HasSuffix(n, ".key"):
			if _, err := os.Stat(strings.TrimSuffix(p, ".key") + ".cert"); err != nil {
				return nil, fmt.Errorf("registry client key %s: missing client certificate %s.cert", p, strings.TrimSuffix(n, ".key"))
			}
		}
	}
	return cfg, nil
}
