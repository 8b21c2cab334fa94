package build

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"pocket/trace"
)

// execute runs one instruction of a stage: substitutes variables, looks
// the step up in the cache and otherwise does it.
func (b *builder) execute(run *stageRun, cmd instructions.Command) error {
	if e, ok := cmd.(instructions.SupportsSingleWordExpansion); ok {
		env := run.env()
		if err := e.Expand(func(w string) (string, error) { return b.expand(w, env) }); err != nil {
			return fmt.Errorf("%s: %w", cmdText(cmd), err)
		}
	}
	if e, ok := cmd.(instructions.SupportsSingleWordExpansionRaw); ok {
		env := run.env()
		if err := e.ExpandRaw(func(w string) (string, error) { return b.expand(w, env) }); err != nil {
			return fmt.Errorf("%s: %w", cmdText(cmd), err)
		}
	}
	if err := unsupported(cmd); err != nil {
		return err
	}
	switch c := cmd.(type) {
	case *instructions.RunCommand:
		return b.run(run, c)
	case *instructions.CopyCommand:
		return b.copy(run, copyCmd{text: cmdText(c), sd: c.SourcesAndDest, from: c.From, chown: c.Chown, chmod: c.Chmod,
			exclude: c.ExcludePatterns, parents: c.Parents, link: c.Link}, c)
	case *instructions.AddCommand:
		return b.copy(run, copyCmd{text: cmdText(c), sd: c.SourcesAndDest, chown: c.Chown, chmod: c.Chmod, add: true,
			exclude: c.ExcludePatterns, link: c.Link, checksum: c.Checksum, keepGitDir: c.KeepGitDir != nil && *c.KeepGitDir, unpack: c.Unpack}, c)
	case *instructions.ArgCommand:
		return b.arg(run, c)
	}
	return b.metadata(run, cmd)
}

// step looks key up in the cache; on a hit run.st becomes the cached
// state and step reports true.
func (b *builder) cached(run *stageRun, key string) (bool, error) {
	if b.o.NoCache {
		return false, nil
	}
	defer trace.Span("build: cache lookup")()
	e := b.s.Cache(key)
	if e == nil {
		return false, nil
	}
	st, err := b.fromCache(e, key)
	if err != nil {
		return false, nil
	}
	fmt.Fprintln(b.out, " ---> Using cache")
	run.st = st
	return true, nil
}

// metadata is a step that changes only the configuration.
func (b *builder) metadata(run *stageRun, cmd instructions.Command) error {
	detail, err := json.Marshal(cmd)
	if err != nil {
		return err
	}
	key := cacheKey(run.st.key, cmd.Name(), string(detail), b.platform())
	if hit, err := b.cached(run, key); hit || err != nil {
		return err
	}
	st := run.st.next()
	st.key = key
	cfg := &st.cfg.Config
	switch c := cmd.(type) {
	case *instructions.EnvCommand:
		for _, kv := range c.Env {
			cfg.Env = setEnv(cfg.Env, kv.Key, kv.Value)
		}
	case *instructions.LabelCommand:
		if cfg.Labels == nil {
			cfg.Labels = map[string]string{}
		}
		for _, kv := range c.Labels {
			cfg.Labels[kv.Key] = kv.Value
		}
	case *instructions.MaintainerCommand:
		st.cfg.Author = c.Maintainer
	case *instructions.ExposeCommand:
		if cfg.ExposedPorts == nil {
			cfg.ExposedPorts = map[string]struct{}{}
		}
		for _, p := range c.Ports {
			if !strings.Contains(p, "/") {
				p += "/tcp"
			}
			cfg.ExposedPorts[p] = struct{}{}
		}
	case *instructions.VolumeCommand:
		if cfg.Volumes == nil {
			cfg.Volumes = map[string]struct{}{}
		}
		for _, v := range c.Volumes {
			if v == "" {
				return fmt.Errorf("VOLUME specified can not be an empty string")
			}
			cfg.Volumes[v] = struct{}{}
		}
	case *instructions.UserCommand:
		cfg.User = c.User
	case *instructions.WorkdirCommand:
		p := c.Path
		if !path.IsAbs(p) {
			p = path.Join("/", cfg.WorkingDir, p)
		}
		cfg.WorkingDir = path.Clean(p)
	case *instructions.CmdCommand:
		cfg.Cmd = b.argv(cfg, c.ShellDependantCmdLine)
		run.cmdSet = true
	case *instructions.EntrypointCommand:
		cfg.Entrypoint = b.argv(cfg, c.ShellDependantCmdLine)
		// Docker: an ENTRYPOINT drops the CMD inherited from the base.
		if !run.cmdSet {
			cfg.Cmd = nil
		}
	case *instructions.ShellCommand:
		cfg.Shell = c.Shell
	case *instructions.StopSignalCommand:
		cfg.StopSignal = c.Signal
	case *instructions.HealthCheckCommand:
		h := c.Health
		cfg.Healthcheck = &v1.HealthConfig{Test: h.Test, Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod, Retries: h.Retries}
	case *instructions.OnbuildCommand:
		cfg.OnBuild = append(cfg.OnBuild, c.Expression)
	default:
		return fmt.Errorf("%s: %w", cmd.Name(), ErrUnsupported)
	}
	var layer *v1.Descriptor
	var diffID v1.Hash
	if _, ok := cmd.(*instructions.WorkdirCommand); ok {
		// Docker makes the directory, even when nothing uses it.
		if layer, diffID, err = b.mkdirLayer(run.st, cfg.WorkingDir); err != nil {
			return err
		}
	}
	if err := b.commit(st, nop(cmdText(cmd)), layer, diffID); err != nil {
		return err
	}
	run.st = st
	return nil
}

// argv is CMD's, ENTRYPOINT's or RUN's command: the shell form runs
// under SHELL (/bin/sh -c by default).
func (b *builder) argv(cfg *v1.Config, c instructions.ShellDependantCmdLine) []string {
	if !c.PrependShell {
		return append([]string{}, c.CmdLine...)
	}
	sh := cfg.Shell
	if len(sh) == 0 {
		sh = []string{"/bin/sh", "-c"}
	}
	script := strings.Join(c.CmdLine, " ")
	if len(c.Files) > 0 {
		// A heredoc: `RUN <<EOF` alone runs its body as the script;
		// `RUN cmd <<EOF` hands the shell the heredoc to feed cmd.
		if len(c.Files) == 1 && strings.HasPrefix(strings.TrimSpace(script), "<<") && !strings.ContainsAny(strings.TrimSpace(script), " \t") {
			script = c.Files[0].Data
		} else {
			var sb strings.Builder
			sb.WriteString(script)
			for _, f := range c.Files {
				sb.WriteString("\n" + f.Data)
				if !strings.HasSuffix(f.Data, "\n") {
					sb.WriteString("\n")
				}
				sb.WriteString(f.Name)
			}
			script = sb.String()
		}
	}
	return append(append([]string{}, sh...), script)
}

// arg declares build args: the value is --build-arg's, else the
// default, else the global ARG's of the same name.
func (b *builder) arg(run *stageRun, c *instructions.ArgCommand) error {
	var names []string
	for _, kv := range c.Args {
		v, ok := b.args[kv.Key]
		switch {
		case ok:
			b.used[kv.Key] = true
		case kv.Value != nil:
			v = *kv.Value
		default:
			// A global ARG of that name, or BuildKit's automatic
			// platform ARGs (TARGETARCH, ...), the host's.
			v = b.platformArgs()[kv.Key]
		}
		if _, seen := run.args[kv.Key]; !seen {
			run.keys = append(run.keys, kv.Key)
		}
		run.args[kv.Key] = v
		names = append(names, kv.Key)
	}
	// The key holds the names only: the values reach the key of each
	// step that sees them (RUN's environment, substituted words), so a
	// changed value reruns those steps and not the ones before.
	key := cacheKey(run.st.key, "ARG", strings.Join(names, " "))
	if hit, err := b.cached(run, key); hit || err != nil {
		return err
	}
	st := run.st.next()
	st.key = key
	if err := b.commit(st, nop(cmdText(c)), nil, v1.Hash{}); err != nil {
		return err
	}
	run.st = st
	return nil
}

func setEnv(env []string, k, v string) []string {
	for i, e := range env {
		if kk, _, _ := strings.Cut(e, "="); kk == k {
			env[i] = k + "=" + v
			return env
		}
	}
	return append(env, k+"="+v)
}

func (b *builder) now() time.Time {
	if b.o.Epoch != nil {
		return *b.o.Epoch
	}
	return time.Now()
}

// unsupported refuses the flags pocket does not implement yet, rather
// than build something other than what the Dockerfile says.
func unsupported(cmd instructions.Command) error {
	var flag string
	switch c := cmd.(type) {
	case *instructions.RunCommand:
		for _, f := range c.FlagsUsed {
			if f != "mount" && f != "network" {
				flag = f
			}
		}
	}
	if flag != "" {
		return fmt.Errorf("%s --%s: %w", cmd.Name(), flag, ErrUnsupported)
	}
	return nil
}
