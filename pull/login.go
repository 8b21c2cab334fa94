package pull

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/docker/cli/cli/config"
	"github.com/docker/cli/cli/config/credentials"
	"github.com/docker/cli/cli/config/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"pocket/reference"
)

// HubServer is the key Docker keeps Docker Hub's credentials under.
const HubServer = "https://index.docker.io/v1/"

// Server is a registry as login and logout name it: Key is the entry of
// config.json's "auths" (Docker Hub's HubServer, else HOST[:PORT]).
type Server struct {
	Key      string
	Registry name.Registry
}

// ParseServer reads login's SERVER argument as Docker does: empty is
// Docker Hub, a URL is cut to its host.
func ParseServer(arg string, insecure []string) (Server, error) {
	host := credentials.ConvertToHostname(arg)
	if arg == "" || arg == HubServer {
		host = reference.Hub
	}
	var opts []name.Option
	if slices.Contains(insecure, host) {
		opts = append(opts, name.Insecure)
	}
	reg, err := name.NewRegistry(host, append(opts, name.StrictValidation)...)
	if err != nil {
		return Server{}, fmt.Errorf("registry %q: %w", arg, err)
	}
	if reference.IsDockerHub(reg.Repo("library/x")) {
		return Server{Key: HubServer, Registry: reg}, nil
	}
	return Server{Key: reg.RegistryStr(), Registry: reg}, nil
}

// Verify checks user and password against the registry: a GET /v2/ with
// them (after a token round trip for a registry that hands out tokens),
// as `docker login` does before saving anything.
func Verify(ctx context.Context, srv Server, user, password string) error {
	auth := authn.FromConfig(authn.AuthConfig{Username: user, Password: password})
	rt, err := transport.NewWithContext(ctx, srv.Registry, auth, baseTransport(), nil)
	if err != nil {
		return loginError(srv, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.Registry.Scheme()+"://"+srv.Registry.RegistryStr()+"/v2/", nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Transport: rt}).Do(req)
	if err != nil {
		return loginError(srv, err)
	}
	defer resp.Body.Close()
	return loginError(srv, transport.CheckError(resp, http.StatusOK))
}

func loginError(srv Server, err error) error {
	if err == nil {
		return nil
	}
	var te *transport.Error
	if errors.As(err, &te) && (te.StatusCode == http.StatusUnauthorized || te.StatusCode == http.StatusForbidden) {
		return fmt.Errorf("login %s: %w", srv.Key, ErrBadCredentials)
	}
	hint := "check the network and the registry address"
	switch s := err.Error(); {
	case strings.Contains(s, "server gave HTTP response to HTTPS client"):
		hint = "the registry speaks plain HTTP: add --insecure-registry " + srv.Registry.RegistryStr()
	case strings.Contains(s, "x509:") || strings.Contains(s, "tls:"):
		hint = "trust the registry's CA in " + CertsDir + "/" + srv.Registry.RegistryStr() + "/ca.crt"
	}
	return fmt.Errorf("login %s: %w (hint: %s)", srv.Key, err, hint)
}

// Stored is what Docker's configuration holds for srv: its credentials,
// empty when none, and the file it read.
func Stored(srv Server) (types.AuthConfig, string, error) {
	cf, err := config.Load(config.Dir())
	if err != nil {
		return types.AuthConfig{}, "", err
	}
	ac, err := cf.GetCredentialsStore(srv.Key).Get(srv.Key)
	return ac, cf.Filename, err
}

// SaveLogin stores credentials for srv where Docker would: the credential
// helper config.json names for it (credHelpers, credsStore), else
// config.json's "auths" (mode 0600, the file's other settings kept). It
// returns the configuration file's path.
func SaveLogin(srv Server, user, password string) (string, error) {
	cf, err := config.Load(config.Dir())
	if err != nil {
		return "", fmt.Errorf("login %s: %w", srv.Key, err)
	}
	ac := types.AuthConfig{Username: user, Password: password, ServerAddress: srv.Key}
	if err := cf.GetCredentialsStore(srv.Key).Store(ac); err != nil {
		return cf.Filename, fmt.Errorf("login %s: store credentials: %w", srv.Key, err)
	}
	return cf.Filename, nil
}

// Logout removes srv's credentials as `docker logout` does: under its key
// and the older spellings of it (with a scheme). It reports whether there
// were any in config.json, and the file's path.
func Logout(srv Server) (bool, string, error) {
	cf, err := config.Load(config.Dir())
	if err != nil {
		return false, "", fmt.Errorf("logout %s: %w", srv.Key, err)
	}
	keys := []string{srv.Key}
	if srv.Key != HubServer {
		keys = append(keys, "http://"+srv.Key, "https://"+srv.Key)
	}
	found := false
	for _, k := range keys {
		if _, ok := cf.AuthConfigs[k]; ok {
			found = true
		}
	}
	if !found {
		return false, cf.Filename, nil
	}
	var errs []error
	for _, k := range keys {
		if err := cf.GetCredentialsStore(k).Erase(k); err != nil {
			errs = append(errs, fmt.Errorf("logout %s: %w", k, err))
		}
	}
	return true, cf.Filename, errors.Join(errs...)
}
