package build

import (
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// maxSecretSize is BuildKit's limit on one secret (500 KiB): a secret is
// a token or a key, never a file tree.
const maxSecretSize = 500 * 1024

// Secret is one --secret: where the value of secret ID comes from, a
// host file (Src) or an environment variable (Env) of pocket's.
type Secret struct {
	ID  string
	Src string
	Env string
}

// ParseSecret reads --secret as docker buildx does:
// id=ID[,type=file|env][,src|source=FILE][,env=VAR]. With neither src
// nor env, the variable named ID is used when set, else the file named
// ID. A file that cannot be read is an error now, before any step runs.
func ParseSecret(spec string) (Secret, error) {
	var s Secret
	bad := func(why string) (Secret, error) {
		return Secret{}, fmt.Errorf("invalid argument %q for \"--secret\" flag: %s", spec, why)
	}
	fields, err := csv.NewReader(strings.NewReader(spec)).Read()
	if err != nil {
		return bad(err.Error())
	}
	typ := ""
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return bad(fmt.Sprintf("invalid field %q must be a key=value pair", f))
		}
		switch strings.ToLower(k) {
		case "type":
			if v != "file" && v != "env" {
				return bad(fmt.Sprintf("unsupported secret type %q", v))
			}
			typ = v
		case "id":
			s.ID = v
		case "source", "src":
			s.Src = v
		case "env":
			s.Env = v
		default:
			return bad(fmt.Sprintf("unexpected key %q", k))
		}
	}
	if typ == "env" && s.Env == "" {
		s.Env, s.Src = s.Src, ""
	}
	if s.ID == "" {
		return bad("an id is needed")
	}
	if s.Src == "" && s.Env == "" {
		if _, set := os.LookupEnv(s.ID); set {
			s.Env = s.ID
		} else {
			s.Src = s.ID
		}
	}
	if s.Src != "" {
		fi, err := os.Stat(s.Src)
		if err != nil {
			return bad(err.Error())
		}
		if fi.Size() > maxSecretSize {
			return bad(fmt.Sprintf("%s is larger than %d bytes", s.Src, maxSecretSize))
		}
	}
	return s, nil
}

// value is the secret's content, read when a step mounts it. ok is
// false when its variable is not set.
func (s Secret) value() (data []byte, ok bool, err error) {
	if s.Src == "" {
		v, set := os.LookupEnv(s.Env)
		if len(v) > maxSecretSize {
			return nil, false, fmt.Errorf("secret %s: larger than %d bytes", s.ID, maxSecretSize)
		}
		return []byte(v), set, nil
	}
	f, err := os.Open(s.Src)
	if err != nil {
		return nil, false, fmt.Errorf("secret %s: %w", s.ID, err)
	}
	defer f.Close()
	data, err = readAllLimit(f, maxSecretSize)
	if err != nil {
		return nil, false, fmt.Errorf("secret %s: %w", s.ID, err)
	}
	return data, true, nil
}

// secret finds --secret id, or nil.
func (b *builder) secret(id string) *Secret {
	for i := range b.o.Secrets {
		if b.o.Secrets[i].ID == id {
			return &b.o.Secrets[i]
		}
	}
	return nil
}

// secretMount is RUN --mount=type=secret as BuildKit's Dockerfile
// frontend makes it: the id is id=, else source=, else the target's
// base name; the file is /run/secrets/ID unless target= says, and only
// env= alone puts it in the environment instead. The value lives in a
// file of its own on a tmpfs of the host, bind-mounted read-only on the
// target for this step alone: nothing of it reaches the container's
// upper directory (the empty stub mounted on is left out of the layer
// as every mount target's is), and the cache key sees the mount's
// options, never the value, so a changed secret does not rerun the
// step, as in BuildKit.
func (sm *sessionMounts) secret(b *builder, m *instructions.Mount, workdir string) error {
	id := m.CacheID
	if m.Source != "" {
		id = m.Source
	}
	if id == "" {
		if m.Target == "" {
			return errors.New("RUN --mount=type=secret: one of source, target required")
		}
		id = path.Base(m.Target)
	}
	s := b.secret(id)
	var data []byte
	found := false
	if s != nil {
		var err error
		if data, found, err = s.value(); err != nil {
			return err
		}
	}
	if !found {
		if m.Required {
			return fmt.Errorf("RUN --mount=type=secret,id=%s: secret %s %w (hint: pass it with --secret id=%s,src=FILE or --secret id=%s,env=VAR)", id, id, ErrNoSecret, id, id)
		}
		// BuildKit: a secret not required is left out when not given.
		return nil
	}
	if m.Env != nil {
		name := *m.Env
		if name == "" {
			name = id
		}
		sm.env = append(sm.env, name+"="+string(data))
	}
	target := m.Target
	if target == "" && m.Env != nil {
		return nil
	}
	if target == "" {
		target = "/run/secrets/" + path.Base(id)
	}
	target = absTarget(target, workdir)
	mode := uint64(0o400)
	if m.Mode != nil {
		mode = *m.Mode
	}
	src, err := sm.file("secret-", data, mode, m.UID, m.GID)
	if err != nil {
		return fmt.Errorf("RUN --mount=type=secret,id=%s: %w", id, err)
	}
	return sm.bind(src, target, true)
}
