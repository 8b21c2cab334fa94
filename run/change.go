package run

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// ErrBadChange is a --change instruction pocket cannot apply.
var ErrBadChange = errors.New("invalid --change")

// Change is one --change Dockerfile instruction, parsed.
type Change struct {
	Instr string   // upper case: CMD, ENV, ...
	Args  []string // CMD/ENTRYPOINT/VOLUME: the list; ENV/LABEL: key, value pairs; else one
}

// ParseChanges parses --change instructions with the Dockerfile grammar
// of those Docker's commit and import accept: CMD, ENTRYPOINT, ENV,
// EXPOSE, LABEL, USER, VOLUME and WORKDIR.
func ParseChanges(lines []string) ([]Change, error) {
	var out []Change
	for _, l := range lines {
		c, err := parseChange(l)
		if err != nil {
			return nil, fmt.Errorf("%w %q: %w", ErrBadChange, l, err)
		}
		out = append(out, c)
	}
	return out, nil
}

func parseChange(line string) (Change, error) {
	line = strings.TrimSpace(line)
	instr, rest := line, ""
	if i := strings.IndexAny(line, " \t"); i >= 0 {
		instr, rest = line[:i], line[i+1:]
	}
	rest = strings.TrimSpace(rest)
	c := Change{Instr: strings.ToUpper(instr)}
	switch c.Instr {
	case "CMD", "ENTRYPOINT":
		c.Args = execForm(rest)
		return c, nil
	case "VOLUME":
		var list []string
		if strings.HasPrefix(rest, "[") && json.Unmarshal([]byte(rest), &list) == nil {
			c.Args = list
		} else {
			c.Args = strings.Fields(rest)
		}
	case "EXPOSE":
		c.Args = strings.Fields(rest)
	case "ENV", "LABEL":
		kv, err := keyValues(rest, c.Instr == "ENV")
		if err != nil {
			return c, err
		}
		c.Args = kv
	case "USER", "WORKDIR":
		if rest == "" {
			return c, fmt.Errorf("%s requires exactly one argument", c.Instr)
		}
		c.Args = []string{rest}
	default:
		return c, fmt.Errorf("%s is not a valid change command", instr)
	}
	if len(c.Args) == 0 {
		return c, fmt.Errorf("%s requires at least one argument", c.Instr)
	}
	return c, nil
}

// execForm is a JSON array (exec form) or else a shell command line run
// by /bin/sh -c, as in a Dockerfile.
func execForm(s string) []string {
	var list []string
	if strings.HasPrefix(s, "[") && json.Unmarshal([]byte(s), &list) == nil {
		return list
	}
	if s == "" {
		return nil
	}
	return []string{"/bin/sh", "-c", s}
}

// keyValues parses `k=v k2="v 2"` or the legacy `k value with spaces`
// (ENV only allows the legacy form in one pair), with Dockerfile quoting.
func keyValues(s string, legacy bool) ([]string, error) {
	words, err := shellWords(s)
	if err != nil {
		return nil, err
	}
	if len(words) == 0 {
		return nil, errors.New("requires at least one argument")
	}
	if !strings.Contains(words[0], "=") {
		if !legacy || len(words) < 2 {
			return nil, fmt.Errorf("%q: must be KEY=VALUE", words[0])
		}
		k, v, _ := strings.Cut(s, " ")
		return []string{k, strings.TrimSpace(v)}, nil
	}
	var out []string
	for _, w := range words {
		k, v, ok := strings.Cut(w, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q: must be KEY=VALUE", w)
		}
		out = append(out, k, v)
	}
	return out, nil
}

// shellWords splits on blanks, honouring "double", 'single' quotes and
// backslash escapes (Dockerfile's default escape character).
func shellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	esc := false
	for _, r := range s {
		switch {
		case esc:
			cur.WriteRune(r)
			esc = false
		case r == '\\' && quote != '\'':
			esc, inWord = true, true
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated quote in %q", s)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// applyChanges applies parsed instructions to an image config, as a
// Dockerfile build step would.
func applyChanges(cfg *v1.Config, changes []Change) error {
	cmdSet := false
	for _, c := range changes {
		switch c.Instr {
		case "CMD":
			cfg.Cmd = c.Args
			cmdSet = true
		case "ENTRYPOINT":
			cfg.Entrypoint = c.Args
			// A new ENTRYPOINT resets an inherited CMD, but not one set
			// by these changes, as in a build.
			if !cmdSet {
				cfg.Cmd = nil
			}
		case "ENV":
			for i := 0; i+1 < len(c.Args); i += 2 {
				cfg.Env = setEnv(cfg.Env, c.Args[i], c.Args[i+1])
			}
		case "LABEL":
			if cfg.Labels == nil {
				cfg.Labels = map[string]string{}
			}
			for i := 0; i+1 < len(c.Args); i += 2 {
				cfg.Labels[c.Args[i]] = c.Args[i+1]
			}
		case "EXPOSE":
			if cfg.ExposedPorts == nil {
				cfg.ExposedPorts = map[string]struct{}{}
			}
			for _, p := range c.Args {
				if !strings.Contains(p, "/") {
					p += "/tcp"
				}
				cfg.ExposedPorts[strings.ToLower(p)] = struct{}{}
			}
		case "VOLUME":
			if cfg.Volumes == nil {
				cfg.Volumes = map[string]struct{}{}
			}
			for _, v := range c.Args {
				cfg.Volumes[v] = struct{}{}
			}
		case "USER":
			cfg.User = c.Args[0]
		case "WORKDIR":
			wd := c.Args[0]
			if !path.IsAbs(wd) {
				wd = path.Join("/", cfg.WorkingDir, wd)
			}
			cfg.WorkingDir = wd
		}
	}
	return nil
}

func setEnv(env []string, k, v string) []string {
	for i, e := range env {
		if name, _, _ := strings.Cut(e, "="); name == k {
			env[i] = k + "=" + v
			return env
		}
	}
	return append(env, k+"="+v)
}
