package doctor

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"
)

// hubRegistry is Docker Hub's registry endpoint.
const hubRegistry = "registry-1.docker.io"

// registryURL is the /v2/ endpoint of a configured mirror (a URL, or a
// HOST[:PORT] reached over HTTPS) or of Docker Hub ("docker.io").
func registryURL(name string) string {
	switch {
	case name == "docker.io":
		return "https://" + hubRegistry + "/v2/"
	case strings.HasPrefix(name, "http://"), strings.HasPrefix(name, "https://"):
		return strings.TrimSuffix(name, "/") + "/v2/"
	}
	return "https://" + name + "/v2/"
}

// probeRegistries asks each registry's /v2/ at once; any HTTP answer (401
// included: it wants a token) means it is reachable.
func probeRegistries(ctx context.Context, names []string, timeout time.Duration) []Registry {
	out := make([]Registry, len(names))
	client := &http.Client{Timeout: timeout}
	var wg sync.WaitGroup
	for i, n := range names {
		out[i].Name = n
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, registryURL(n), nil)
			if err == nil {
				var resp *http.Response
				if resp, err = client.Do(req); err == nil {
					resp.Body.Close()
				}
			}
			if err != nil {
				out[i].Err = err.Error()
			}
		}()
	}
	wg.Wait()
	return out
}
