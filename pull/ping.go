package pull

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
)

// pings sends a registry's pings (GET /v2/, which go-containerregistry's
// transport sends first to learn the registry's scheme and how it wants
// credentials) ahead of time, every scheme at once, and answers the
// transport's own pings from them.
//
// For a registry reached over plain HTTP (--insecure-registry, loopback)
// the transport tries https first and http only once https has failed,
// as Docker does. The first TLS handshake of a process is its slowest
// request (about 8 ms on a small VM, most of a re-push), and the http
// ping then waited for it. Sent ahead, both run at once while the store is
// read, and the transport still asks https first and takes http only
// after https failed: the choice is the same, only sooner made.
type pings struct {
	send http.RoundTripper // the pings sent ahead
	next http.RoundTripper // every other request

	mu    sync.Mutex
	ahead map[string]*pingAhead // by URL, until the transport asks for it
}

// pingAhead is one ping sent ahead: its response, body read, once done is
// closed.
type pingAhead struct {
	done chan struct{}
	resp *http.Response
	body []byte
	err  error
}

// maxPingBody bounds what a ping's answer keeps: a registry answers with
// "{}" or a short error.
const maxPingBody = 64 << 10

func newPings(send, next http.RoundTripper) *pings {
	return &pings{send: send, next: next, ahead: map[string]*pingAhead{}}
}

// pingSchemes are the schemes go-containerregistry's transport pings reg
// with, in its order of preference.
func pingSchemes(reg name.Registry) []string {
	if reg.Scheme() == "http" {
		return []string{"https", "http"}
	}
	return []string{"https"}
}

// start sends reg's pings, unless they were sent already. They end with
// ctx.
func (p *pings) start(ctx context.Context, reg name.Registry) {
	for _, scheme := range pingSchemes(reg) {
		u := pingURL(scheme, reg.RegistryStr())
		p.mu.Lock()
		if _, ok := p.ahead[u]; ok {
			p.mu.Unlock()
			continue
		}
		a := &pingAhead{done: make(chan struct{})}
		p.ahead[u] = a
		p.mu.Unlock()
		go a.run(ctx, p.send, u)
	}
}

// pingURL is the ping's address, as go-containerregistry writes it.
func pingURL(scheme, host string) string {
	return scheme + "://" + host + "/v2/"
}

func (a *pingAhead) run(ctx context.Context, rt http.RoundTripper, u string) {
	defer close(a.done)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		a.err = err
		return
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		a.err = err
		return
	}
	defer resp.Body.Close()
	a.resp = resp
	a.body, a.err = io.ReadAll(io.LimitReader(resp.Body, maxPingBody))
}

// RoundTrip answers a ping sent ahead from its answer, once: a later
// ping (a new session's, a retry) goes to the registry again.
func (p *pings) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet || req.URL.Path != "/v2/" || req.URL.RawQuery != "" {
		return p.next.RoundTrip(req)
	}
	u := pingURL(req.URL.Scheme, req.URL.Host)
	p.mu.Lock()
	a := p.ahead[u]
	delete(p.ahead, u)
	p.mu.Unlock()
	if a == nil {
		return p.next.RoundTrip(req)
	}
	select {
	case <-a.done:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	if a.err != nil {
		return nil, a.err
	}
	resp := *a.resp
	resp.Header = a.resp.Header.Clone()
	resp.Body = io.NopCloser(bytes.NewReader(a.body))
	resp.ContentLength = int64(len(a.body))
	resp.Request = req
	return &resp, nil
}
