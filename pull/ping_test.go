package pull

import (
	"bufio"
	"context"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// connListener is a net.Listener fed connections by hand.
type connListener struct {
	addr  net.Addr
	conns chan net.Conn
	once  sync.Once
	done  chan struct{}
}

func (l *connListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *connListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *connListener) Addr() net.Addr { return l.addr }

// peekedConn is a connection whose first bytes were read into r.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// pingServer is a registry host that answers requests over http, and over
// https too when tls is set, on the same port, as Docker's fallback meets
// them. It records each request as "SCHEME METHOD PATH".
type pingServer struct {
	host string
	mu   sync.Mutex
	seen []string
}

func newPingServer(t *testing.T, withTLS bool, tlsDelay time.Duration) *pingServer {
	t.Helper()
	ps := &pingServer{}
	handler := func(scheme string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ps.mu.Lock()
			ps.seen = append(ps.seen, scheme+" "+r.Method+" "+r.URL.Path)
			ps.mu.Unlock()
			w.Header().Set("Docker-Distribution-Api-Version", "registry/2.0")
			if r.URL.Path == "/v2/" {
				if scheme == "https" {
					time.Sleep(tlsDelay)
				}
				w.Write([]byte("{}"))
				return
			}
			w.WriteHeader(http.StatusNotFound)
		})
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mk := func() *connListener {
		return &connListener{addr: ln.Addr(), conns: make(chan net.Conn), done: make(chan struct{})}
	}
	plainL, tlsL := mk(), mk()
	plain := httptest.NewUnstartedServer(handler("http"))
	plain.Listener = plainL
	plain.Start()
	t.Cleanup(plain.Close)
	ps.host = ln.Addr().String()
	if withTLS {
		secure := httptest.NewUnstartedServer(handler("https"))
		secure.Listener = tlsL
		secure.StartTLS()
		t.Cleanup(secure.Close)
		// The test's CA for this host, as /etc/docker/certs.d holds it.
		dir := filepath.Join(CertsDir, ps.host)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		crt := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: secure.Certificate().Raw})
		if err := os.WriteFile(filepath.Join(dir, "ca.crt"), crt, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				r := bufio.NewReader(c)
				b, err := r.Peek(1)
				if err != nil {
					c.Close()
					return
				}
				l := plainL
				if b[0] == 0x16 && withTLS { // a TLS handshake record
					l = tlsL
				}
				select {
				case l.conns <- &peekedConn{Conn: c, r: r}:
				case <-l.done:
					c.Close()
				}
			}()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return ps
}

func (ps *pingServer) requests() []string {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return append([]string(nil), ps.seen...)
}

// The pings sent ahead answer go-containerregistry's own, and its choice
// of scheme is Docker's: https when the registry speaks it, even when http
// answered first, and http only when https failed.
func TestPingsAhead(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tls    bool
		delay  time.Duration // of the https ping's answer
		scheme string        // of the requests after the ping
	}{
		{name: "http only", tls: false, scheme: "http"},
		{name: "https and http", tls: true, scheme: "https"},
		// Within go-containerregistry's fallback delay (300 ms).
		{name: "https answers after http", tls: true, delay: 100 * time.Millisecond, scheme: "https"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := newPingServer(t, tc.tls, tc.delay)
			repo, err := name.NewRepository(ps.host+"/x/app", name.Insecure)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			p := newPusher(ctx, openStore(t), repo)
			sess, err := p.session(ctx, repo)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := sess.hasBlob(ctx, v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("0", 64)}); err != nil {
				t.Fatal(err)
			}
			pings := map[string]int{}
			var head string
			for _, r := range ps.requests() {
				if scheme, ok := strings.CutSuffix(r, " GET /v2/"); ok {
					pings[scheme]++
				} else {
					head = r
				}
			}
			// go-containerregistry's ping of the scheme it chose was
			// answered by the one sent ahead: one ping of it reached the
			// registry. (The other scheme's, sent ahead and not needed,
			// may still be on its way.)
			if pings[tc.scheme] != 1 || pings["http"] > 1 || pings["https"] > 1 {
				t.Errorf("pings by scheme %v, want one over %s, at most one over the other", pings, tc.scheme)
			}
			if want := tc.scheme + " HEAD /v2/x/app/blobs/sha256:" + strings.Repeat("0", 64); head != want {
				t.Errorf("blob check went as %q, want %q", head, want)
			}
		})
	}
}

// A ping sent ahead answers once; later pings go to the registry.
func TestPingsAnswerOnce(t *testing.T) {
	ps := newPingServer(t, false, 0)
	reg, err := name.NewRegistry(ps.host, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	next := retryTransport()
	p := newPings(userAgent(next), next)
	p.start(context.Background(), reg)
	for range 2 {
		if _, err := transport.Ping(context.Background(), reg, p); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	for _, r := range ps.requests() {
		if r == "http GET /v2/" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("two pings reached the registry %d times over http, want 2 (one ahead, one later)", n)
	}
}
