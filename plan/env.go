package plan

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
)

// userEnv is what the command line adds to the image's environment, in
// the order Docker applies it: --env-file lines, then -e flags. A bare K
// copies the host's value (lookup) and is left out when the host has none.
func userEnv(flags []string, files []string, lookup func(string) (string, bool)) ([]string, error) {
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
	return extra, nil
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

// MergeEnv replaces each K in base by its value in extra, in place, and
// appends the new ones (Docker's ReplaceOrAppendEnvValues).
func MergeEnv(base, extra []string) []string {
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

// ConfigEnv is the container's configured environment as Docker stores it
// in Config.Env (the daemon's merge of the user's config with the
// image's): the command line's variables as given, then each of the
// image's whose name the command line does not set.
func (p *Plan) ConfigEnv(image []string) []string {
	env := append([]string{}, p.Env...)
	set := map[string]bool{}
	for _, e := range p.Env {
		k, _, _ := strings.Cut(e, "=")
		set[k] = true
	}
	for _, e := range image {
		if k, _, _ := strings.Cut(e, "="); !set[k] {
			env = append(env, e)
		}
	}
	return env
}

// ExecEnv is `pocket exec`'s -e and --env-file, read as run's are.
func ExecEnv(flags, files []string) ([]string, error) {
	return userEnv(flags, files, os.LookupEnv)
}
