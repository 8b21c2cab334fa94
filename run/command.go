package run

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// defaultPath is Docker's PATH for a Linux container whose image sets none.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// command resolves what to execute with Docker's rules: --entrypoint
// replaces the image's ENTRYPOINT and drops its CMD ("" clears the
// entrypoint), command-line arguments replace CMD, and the process is
// ENTRYPOINT followed by CMD. It returns the effective Entrypoint and Cmd
// (as inspect shows them) and the argv.
func command(img v1.Config, entrypoint *string, args []string) (ep, cmd, argv []string, err error) {
	ep, cmd = img.Entrypoint, img.Cmd
	if entrypoint != nil {
		ep, cmd = nil, nil
		if *entrypoint != "" {
			ep = []string{*entrypoint}
		}
	}
	if len(args) > 0 {
		cmd = args
	}
	argv = append(append([]string{}, ep...), cmd...)
	if len(argv) == 0 {
		return nil, nil, nil, fmt.Errorf("%w (hint: give a command after the image name)", ErrNoCommand)
	}
	return ep, cmd, argv, nil
}

// userEnv is the container's configured environment as Docker stores it in
// Config.Env: the image's, overridden in place or extended by --env-file
// lines and then -e flags. A bare K copies the host's value (lookup) and is
// left out when the host has none.
func userEnv(image []string, flags []string, files []string, lookup func(string) (string, bool)) ([]string, error) {
	var extra []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read env file: %w", err)
		}
		lines, err := parseEnvFile(data, lookup)
		if err != nil {
			return nil, fmt.Errorf("env file %s: %w", f, err)
		}
		extra = append(extra, lines...)
	}
	for _, e := range flags {
		kv, ok, err := envValue(e, lookup)
		if err != nil {
			return nil, err
		}
		if ok {
			extra = append(extra, kv)
		}
	}
	return mergeEnv(append([]string{}, image...), extra), nil
}

// parseEnvFile reads Docker's --env-file format: one K=V or K a line, blank
// lines and lines starting with # ignored, values taken verbatim.
func parseEnvFile(data []byte, lookup func(string) (string, bool)) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimLeft(sc.Text(), " \t")
		line = strings.TrimSuffix(line, "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		kv, ok, err := envValue(line, lookup)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if ok {
			out = append(out, kv)
		}
	}
	return out, sc.Err()
}

// envValue checks one K=V or K (copied from lookup; ok false when unset).
func envValue(e string, lookup func(string) (string, bool)) (kv string, ok bool, err error) {
	k, _, hasValue := strings.Cut(e, "=")
	if k == "" {
		return "", false, fmt.Errorf("invalid environment variable %q: no variable name", e)
	}
	if strings.ContainsAny(k, " \t") {
		return "", false, fmt.Errorf("invalid environment variable %q: name contains whitespace", k)
	}
	if hasValue {
		return e, true, nil
	}
	if v, ok := lookup(k); ok {
		return k + "=" + v, true, nil
	}
	return "", false, nil
}

// mergeEnv replaces each K in base by its value in extra, in place, and
// appends the new ones (Docker's ReplaceOrAppendEnvValues).
func mergeEnv(base, extra []string) []string {
	idx := map[string]int{}
	for i, e := range base {
		k, _, _ := strings.Cut(e, "=")
		idx[k] = i
	}
	for _, e := range extra {
		k, _, _ := strings.Cut(e, "=")
		if i, ok := idx[k]; ok {
			base[i] = e
			continue
		}
		idx[k] = len(base)
		base = append(base, e)
	}
	return base
}

// processEnv is the environment the process starts with: Docker's daemon
// defaults (PATH when the configuration lacks one, HOSTNAME, TERM with a
// tty) overridden by the configured environment.
func processEnv(config []string, hostname string, tty bool) []string {
	var env []string
	hasPath := false
	for _, e := range config {
		if strings.HasPrefix(e, "PATH=") {
			hasPath = true
		}
	}
	if !hasPath {
		env = append(env, "PATH="+defaultPath)
	}
	env = append(env, "HOSTNAME="+hostname)
	if tty {
		env = append(env, "TERM=xterm")
	}
	return mergeEnv(env, config)
}

// workdir is -w, else the image's WorkingDir, else "/". -w must be absolute
// as Docker requires; an image's relative WorkingDir is taken from "/".
func workdir(flag, image string) (string, error) {
	if flag != "" {
		if !path.IsAbs(flag) {
			return "", fmt.Errorf("%w: the working directory %q is invalid, it needs to be an absolute path", ErrBadOption, flag)
		}
		return path.Clean(flag), nil
	}
	if image != "" {
		return path.Join("/", image), nil
	}
	return "/", nil
}
