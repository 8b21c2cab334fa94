package pull

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// basicAuth makes the registry want user:password on every request.
func basicAuth(reg *testRegistry, user, password string) {
	reg.setHook(func(w http.ResponseWriter, r *http.Request) bool {
		if u, p, ok := r.BasicAuth(); ok && u == user && p == password {
			return false
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`))
		return true
	})
}

func readConfig(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(os.Getenv("DOCKER_CONFIG"), "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestParseServer(t *testing.T) {
	for _, tt := range []struct{ arg, key string }{
		{"", HubServer},
		{"docker.io", HubServer},
		{"index.docker.io", HubServer},
		{"https://index.docker.io/v1/", HubServer},
		{"registry.example.com:5000", "registry.example.com:5000"},
		{"https://registry.example.com/v2/", "registry.example.com"},
	} {
		srv, err := ParseServer(tt.arg, nil)
		if err != nil || srv.Key != tt.key {
			t.Errorf("ParseServer(%q) = %q, %v; want %q", tt.arg, srv.Key, err, tt.key)
		}
	}
}

func TestLoginLogout(t *testing.T) {
	reg := newRegistry(t)
	basicAuth(reg, "bob", "pw")
	srv, err := ParseServer(reg.host, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := Verify(ctx, srv, "bob", "bad"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("Verify with a bad password: %v, want %v", err, ErrBadCredentials)
	}
	if err := Verify(ctx, srv, "bob", "pw"); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	cfg := filepath.Join(os.Getenv("DOCKER_CONFIG"), "config.json")
	os.WriteFile(cfg, []byte(`{"auths":{},"credHelpers":{"gcr.io":"gcloud"},"detachKeys":"ctrl-x"}`), 0o644)
	defer os.Remove(cfg)
	file, err := SaveLogin(srv, "bob", "pw")
	if err != nil || file != cfg {
		t.Fatalf("SaveLogin = %q, %v", file, err)
	}
	want := map[string]any{
		"auths":       map[string]any{reg.host: map[string]any{"auth": "Ym9iOnB3"}},
		"credHelpers": map[string]any{"gcr.io": "gcloud"},
		"detachKeys":  "ctrl-x",
	}
	if diff := cmp.Diff(want, readConfig(t)); diff != "" {
		t.Errorf("config.json (-want +got):\n%s", diff)
	}

	// Pull and push find the credentials there.
	img := simpleImage(t, "login", 1)
	reg.setHook(nil)
	reg.push(t, "x/a:1", img)
	basicAuth(reg, "bob", "pw")
	s := openStore(t)
	if _, err := Pull(ctx, s, mustRef(t, reg.host+"/x/a:1"), Options{}); err != nil {
		t.Fatalf("pull with stored credentials: %v", err)
	}

	found, _, err := Logout(srv)
	if !found || err != nil {
		t.Fatalf("Logout = %v, %v", found, err)
	}
	if auths := readConfig(t)["auths"].(map[string]any); len(auths) != 0 {
		t.Errorf("auths after logout: %v", auths)
	}
	if found, _, _ := Logout(srv); found {
		t.Error("second Logout found credentials")
	}
	s2 := openStore(t)
	if _, err := Pull(ctx, s2, mustRef(t, reg.host+"/x/a:1"), Options{}); err == nil {
		t.Error("pull after logout succeeded")
	}
}

func TestCertsDir(t *testing.T) {
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer ts.Close()
	host := strings.TrimPrefix(ts.URL, "https://")
	srv, err := ParseServer(host, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(context.Background(), srv, "u", "p"); err == nil || !strings.Contains(err.Error(), "ca.crt") {
		t.Fatalf("untrusted certificate: %v, want a hint about ca.crt", err)
	}
	dir := filepath.Join(CertsDir, host)
	os.MkdirAll(dir, 0o755)
	defer os.RemoveAll(dir)
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})
	os.WriteFile(filepath.Join(dir, "ca.crt"), ca, 0o644)
	if err := Verify(context.Background(), srv, "u", "p"); err != nil {
		t.Fatalf("with %s/ca.crt: %v", dir, err)
	}
	// A client key without its certificate is refused by name.
	os.WriteFile(filepath.Join(dir, "client.key"), []byte("x"), 0o600)
	if _, err := tlsConfig(dir); err == nil || !strings.Contains(err.Error(), "client.cert") {
		t.Errorf("key without certificate: %v", err)
	}
}
