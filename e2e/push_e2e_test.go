//go:build linux

package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/crypto/bcrypt"

	"pocket/internal/testregistry"
)

const (
	pushUser     = "alice"
	pushPassword = "s3cret-pass"
)

// authRegistry is docker-registry behind TLS, with a certificate this test
// makes for 127.0.0.1, and htpasswd users: pocket must trust it through
// /etc/docker/certs.d/HOST:PORT/ca.crt, as Docker does.
type authRegistry struct {
	*testregistry.Registry
	pool *x509.CertPool
}

func startAuthRegistry(t *testing.T) *authRegistry {
	t.Helper()
	dir := t.TempDir()
	caPEM, certPEM, keyPEM := testCerts(t)
	hash, err := bcrypt.GenerateFromPassword([]byte(pushPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"cert.pem": certPEM, "key.pem": keyPEM, "htpasswd": []byte(pushUser + ":" + string(hash) + "\n")}
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r, err := testregistry.StartWith(filepath.Join(dir, "registry"), testregistry.Options{
		CertFile: filepath.Join(dir, "cert.pem"), KeyFile: filepath.Join(dir, "key.pem"), Htpasswd: filepath.Join(dir, "htpasswd"),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Stop() })
	trustCA(t, r.Host, caPEM)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	return &authRegistry{Registry: r, pool: pool}
}

// trustCA puts the CA where Docker (and pocket) look for a registry's,
// removing it and any directory it made when the test ends.
func trustCA(t *testing.T, host string, caPEM []byte) {
	t.Helper()
	var made []string
	for _, d := range []string{"/etc/docker", "/etc/docker/certs.d", "/etc/docker/certs.d/" + host} {
		if _, err := os.Stat(d); os.IsNotExist(err) {
			if err := os.Mkdir(d, 0o755); err != nil {
				t.Fatal(err)
			}
			made = append(made, d)
		}
	}
	ca := filepath.Join("/etc/docker/certs.d", host, "ca.crt")
	t.Cleanup(func() {
		os.Remove(ca)
		for i := len(made) - 1; i >= 0; i-- {
			os.Remove(made[i])
		}
	})
	if err := os.WriteFile(ca, caPEM, 0o644); err != nil {
		t.Fatal(err)
	}
}

// testCerts makes a CA and a server certificate for 127.0.0.1 it signs.
func testCerts(t *testing.T) (caPEM, certPEM, keyPEM []byte) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pocket test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}

// digest is ref's manifest digest on the registry, asked directly.
func (r *authRegistry) digest(t *testing.T, ref string) v1.Hash {
	t.Helper()
	n, err := name.ParseReference(r.Host + "/" + ref)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: r.pool}}
	d, err := remote.Head(n, remote.WithTransport(tr), remote.WithAuth(&authn.Basic{Username: pushUser, Password: pushPassword}))
	if err != nil {
		t.Fatalf("HEAD %s: %v", ref, err)
	}
	return d.Digest
}

// sourceDigest is ref's manifest digest on the test registry (the mirror).
func sourceDigest(t *testing.T, ref string) v1.Hash {
	t.Helper()
	n, err := testRegistry.Ref(ref)
	if err != nil {
		t.Fatal(err)
	}
	d, err := remote.Head(n)
	if err != nil {
		t.Fatalf("HEAD %s: %v", ref, err)
	}
	return d.Digest
}

// pocketAs runs pocket with DOCKER_CONFIG=cfg and stdin.
func pocketAs(t *testing.T, root, cfg, stdin string, args ...string) result {
	t.Helper()
	cmd := pocketCmd(t, root, args...)
	cmd.Env = append(cmd.Env, "DOCKER_CONFIG="+cfg)
	cmd.Stdin = strings.NewReader(stdin)
	return runToEnd(t, cmd, "pocket "+strings.Join(args, " "))
}

func mustPocketAs(t *testing.T, root, cfg, stdin string, args ...string) result {
	t.Helper()
	r := pocketAs(t, root, cfg, stdin, args...)
	if r.Code != 0 {
		t.Fatalf("pocket %s: %s", strings.Join(args, " "), r)
	}
	return r
}

// layerLines are the "<id>: <status>" lines of a push.
func layerLines(out, status string) int {
	n := 0
	for _, l := range lines(out) {
		if strings.HasSuffix(l, ": "+status) {
			n++
		}
	}
	return n
}

func TestPushLoginLogout(t *testing.T) {
	reg := startAuthRegistry(t)
	root, cfg := newRoot(t), t.TempDir()
	cfgFile := filepath.Join(cfg, "config.json")
	host := reg.Host

	// A wrong password: exit 1, a clear error, nothing written.
	r := pocketAs(t, root, cfg, "wrong\n", "login", "-u", pushUser, "--password-stdin", host)
	if r.Code != 1 || !strings.Contains(r.Stderr, "unauthorized: incorrect username or password") {
		t.Fatalf("login with a wrong password: %s", r)
	}
	if _, err := os.Stat(cfgFile); !os.IsNotExist(err) {
		t.Fatalf("login with a wrong password wrote %s (%v)", cfgFile, err)
	}

	// The right one: saved under HOST:PORT, the file's other settings kept.
	other := `{"auths":{"other.example:5000":{"auth":"eDp5"}},"psFormat":"table {{.ID}}"}`
	if err := os.WriteFile(cfgFile, []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	r = mustPocketAs(t, root, cfg, "", "login", "-u", pushUser, "-p", pushPassword, host)
	if !strings.Contains(r.Stdout, "Login Succeeded") || !strings.Contains(r.Stderr, "WARNING! Using --password via the CLI is insecure. Use --password-stdin.") {
		t.Errorf("login: %s", r)
	}
	checkConfig(t, cfgFile, host, true)

	// Pull from the mirror, push to the TLS registry: the same manifest.
	mustPocket(t, root, "pull", "busybox")
	want := sourceDigest(t, "library/busybox:latest")
	mustPocket(t, root, "tag", "busybox", host+"/library/busybox:1")
	r = mustPocketAs(t, root, cfg, "", "push", host+"/library/busybox:1")
	if !strings.HasPrefix(r.Stdout, "The push refers to repository ["+host+"/library/busybox]\n") ||
		layerLines(r.Stdout, "Preparing") == 0 || layerLines(r.Stdout, "Pushed") != layerLines(r.Stdout, "Preparing") ||
		!strings.Contains(r.Stdout, "1: digest: "+want.String()+" size: ") {
		t.Errorf("push to the TLS registry, want digest %s: %s", want, r)
	}
	if got := reg.digest(t, "library/busybox:1"); got != want {
		t.Errorf("pushed manifest %s, want the source's %s", got, want)
	}
	n := layerLines(r.Stdout, "Preparing")

	// Another repository of the same registry: the registry mounts.
	mustPocket(t, root, "tag", "busybox", host+"/team/busybox:2")
	r = mustPocketAs(t, root, cfg, "", "push", host+"/team/busybox:2")
	if layerLines(r.Stdout, "Mounted from library/busybox") != n {
		t.Errorf("push to a second repository: want %d layers mounted from library/busybox: %s", n, r)
	}
	if got := reg.digest(t, "team/busybox:2"); got != want {
		t.Errorf("second repository: manifest %s, want %s", got, want)
	}

	// Again, unchanged: every layer is there.
	r = mustPocketAs(t, root, cfg, "", "push", host+"/library/busybox:1")
	if layerLines(r.Stdout, "Layer already exists") != n {
		t.Errorf("re-push: want %d layers already there: %s", n, r)
	}

	// --all-tags pushes every local tag of the repository.
	mustPocket(t, root, "pull", "hello-world")
	mustPocket(t, root, "tag", "hello-world", host+"/library/busybox:hello")
	r = mustPocketAs(t, root, cfg, "", "push", "--all-tags", host+"/library/busybox")
	for _, tag := range []string{"1", "hello"} {
		if !strings.Contains(r.Stdout, "\n"+tag+": digest: sha256:") {
			t.Errorf("push --all-tags: no digest line for %s: %s", tag, r)
		}
	}
	if got, want := reg.digest(t, "library/busybox:hello"), sourceDigest(t, "library/hello-world:latest"); got != want {
		t.Errorf("--all-tags: hello is %s, want %s", got, want)
	}
	if r := pocketAs(t, root, cfg, "", "push", "-a", host+"/library/busybox:1"); r.Code != 1 || !strings.Contains(r.Stderr, "tag can't be used with --all-tags/-a") {
		t.Errorf("push -a with a tag: %s", r)
	}

	// Logged out, the registry refuses, and pocket says what to do.
	r = mustPocketAs(t, root, cfg, "", "logout", host)
	if !strings.Contains(r.Stdout, "Removing login credentials for "+host) {
		t.Errorf("logout: %s", r)
	}
	checkConfig(t, cfgFile, host, false)
	r = pocketAs(t, root, cfg, "", "push", host+"/library/busybox:1")
	if r.Code != 1 || !strings.Contains(r.Stderr, "unauthorized: authentication required") || !strings.Contains(r.Stderr, "(hint: pocket login "+host+")") {
		t.Errorf("push after logout: %s", r)
	}
}

// checkConfig asserts config.json's mode, that host's entry is
// base64(user:password) (or gone), and that the other settings survived.
func checkConfig(t *testing.T, file, host string, loggedIn bool) {
	t.Helper()
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s: mode %o, want 600", file, fi.Mode().Perm())
	}
	b, _ := os.ReadFile(file)
	var cf struct {
		Auths    map[string]struct{ Auth string } `json:"auths"`
		PsFormat string                           `json:"psFormat"`
	}
	if err := json.Unmarshal(b, &cf); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	a, ok := cf.Auths[host]
	want := base64.StdEncoding.EncodeToString([]byte(pushUser + ":" + pushPassword))
	if loggedIn && (!ok || a.Auth != want) || !loggedIn && ok {
		t.Errorf("%s: auths[%s] = %+v, %v; logged in: %v\n%s", file, host, a, ok, loggedIn, b)
	}
	if _, ok := cf.Auths["other.example:5000"]; !ok || cf.PsFormat != "table {{.ID}}" {
		t.Errorf("%s lost its other settings:\n%s", file, b)
	}
}

func TestPushInsecureRegistry(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "pull", "busybox")
	want := sourceDigest(t, "library/busybox:latest")
	ref := testRegistry.Host + "/pushed/busybox:1"
	mustPocket(t, root, "tag", "busybox", ref)
	r := mustPocket(t, root, "--insecure-registry", testRegistry.Host, "push", ref)
	// The mirror it was pulled from is this registry: its blobs are mounted.
	if layerLines(r.Stdout, "Mounted from library/busybox") == 0 || !strings.Contains(r.Stdout, "1: digest: "+want.String()) {
		t.Errorf("push over plain HTTP: %s", r)
	}
	if got := sourceDigest(t, "pushed/busybox:1"); got != want {
		t.Errorf("pushed %s, want %s", got, want)
	}
	r = mustPocket(t, root, "--insecure-registry", testRegistry.Host, "push", "-q", ref)
	if r.Stdout != ref+"\n" {
		t.Errorf("push -q printed %q, want %q", r.Stdout, ref+"\n")
	}
}
