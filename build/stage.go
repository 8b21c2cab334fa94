package build

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"

	"pocket/pull"
	"pocket/reference"
	"pocket/store"
	"pocket/trace"
)

// stageRun is one stage being built: its state and the ARGs it declared.
type stageRun struct {
	st     *state
	args   map[string]string      // declared ARGs visible to later steps
	keys   []string               // their names, in declaration order
	cmdSet bool                   // a CMD in this stage
	rest   []instructions.Command // the commands after the one executing, unexpanded
}

// env is what variable substitution sees: ENV over ARG, as Docker.
func (r *stageRun) env() shell.EnvGetter {
	env := slices.Clone(r.st.cfg.Config.Env)
	for _, k := range r.keys {
		if !hasEnv(env, k) {
			env = append(env, k+"="+r.args[k])
		}
	}
	return shell.EnvsFromSlice(env)
}

// buildArgEnv are the declared build args a RUN sees, as K=V, sorted.
func (r *stageRun) buildArgEnv() []string {
	var out []string
	for _, k := range r.keys {
		if !hasEnv(r.st.cfg.Config.Env, k) {
			out = append(out, k+"="+r.args[k])
		}
	}
	sort.Strings(out)
	return out
}

func hasEnv(env []string, k string) bool {
	for _, e := range env {
		if kk, _, _ := strings.Cut(e, "="); kk == k {
			return true
		}
	}
	return false
}

func envOf(m map[string]string) shell.EnvGetter {
	var env []string
	for k, v := range m {
		env = append(env, k+"="+v)
	}
	return shell.EnvsFromSlice(env)
}

func (b *builder) expand(word string, env shell.EnvGetter) (string, error) {
	v, _, err := b.lex.ProcessWord(word, env)
	return v, err
}

func parseIndex(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, errors.New("not a stage index")
	}
	return n, nil
}

// isPredefinedArg: the proxy args Docker passes without an ARG.
func isPredefinedArg(k string) bool {
	switch strings.ToUpper(k) {
	case "HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY":
		return true
	}
	return false
}

// buildStage runs one stage's FROM and its commands.
func (b *builder) buildStage(i int, final bool) error {
	stg := b.stages[i]
	b.printStep(stg.SourceCode)
	base := b.stageBase(i)
	if stg.Platform != "" {
		p, err := b.expand(stg.Platform, envOf(b.platformArgs()))
		if err != nil {
			return err
		}
		if err := checkPlatform(p); err != nil {
			return fmt.Errorf("FROM %w", err)
		}
	}
	endFrom := trace.Span("build: FROM resolve")
	st, err := b.from(base, i)
	endFrom()
	if err != nil {
		return err
	}
	fmt.Fprintf(b.out, " ---> %s\n", short(st.id))
	run := &stageRun{st: st, args: map[string]string{}}
	// Predefined proxy args reach RUN without an ARG, as in Docker.
	for k, v := range b.args {
		if isPredefinedArg(k) {
			run.args[k] = v
			run.keys = append(run.keys, k)
			b.used[k] = true
		}
	}
	sort.Strings(run.keys)
	// The triggers run now; the new image does not inherit them.
	triggers := st.cfg.Config.OnBuild
	st.cfg.Config.OnBuild = nil
	if len(triggers) > 0 {
		if err := b.onbuild(run, triggers); err != nil {
			return err
		}
	}
	for j, cmd := range stg.Commands {
		run.rest = stg.Commands[j+1:]
		b.printStep(cmdText(cmd))
		if err := b.execute(run, cmd); err != nil {
			return err
		}
		fmt.Fprintf(b.out, " ---> %s\n", short(run.st.id))
	}
	b.done[i] = run.st
	return nil
}

func short(h v1.Hash) string {
	if len(h.Hex) < 12 {
		return h.Hex
	}
	return h.Hex[:12]
}

func cmdText(c instructions.Command) string {
	if s, ok := c.(fmt.Stringer); ok {
		return s.String()
	}
	return c.Name()
}

// from is a stage's base: scratch, an earlier stage or an image, pulled
// as `pocket run` pulls it (always with --pull).
func (b *builder) from(base string, i int) (*state, error) {
	var st *state
	switch {
	case base == "scratch":
		st = &state{cfg: &v1.ConfigFile{Architecture: runtime.GOARCH, OS: "linux", RootFS: v1.RootFS{Type: "layers"}}, known: true}
		if err := b.save(st); err != nil {
			return nil, err
		}
	case b.stageIndex(base) >= 0 && b.stageIndex(base) < i:
		prev := b.done[b.stageIndex(base)]
		if prev == nil {
			return nil, fmt.Errorf("stage %s: %w", base, ErrNoStage)
		}
		st = prev.next()
		st.id, st.key = prev.id, prev.key
	default:
		img, err := b.image(base)
		if err != nil {
			return nil, err
		}
		if st, err = stateOf(b.s, img); err != nil {
			return nil, err
		}
	}
	if st.key == "" {
		st.key = cacheKey("", "FROM", st.id.String(), b.platform())
	}
	return st, nil
}

func (b *builder) platform() string { return "linux/" + runtime.GOARCH }

// platformArgs are the global ARGs plus the automatic platform ARGs
// (BUILDPLATFORM, TARGETPLATFORM, ...) that FROM --platform may use:
// both are the host's.
func (b *builder) platformArgs() map[string]string {
	m := map[string]string{}
	for k, v := range b.meta {
		m[k] = v
	}
	for _, p := range []string{"BUILD", "TARGET"} {
		m[p+"PLATFORM"], m[p+"OS"], m[p+"ARCH"] = b.platform(), "linux", runtime.GOARCH
	}
	return m
}

// image finds or pulls an image for FROM or COPY --from.
func (b *builder) image(ref string) (*store.Image, error) {
	r, err := reference.Parse(ref)
	if err != nil {
		if img, ierr := b.s.LookupID(ref); ierr == nil {
			return img, nil
		}
		return nil, fmt.Errorf("FROM %s: %w", ref, err)
	}
	if b.o.Resolve != nil {
		if r, err = b.o.Resolve(r); err != nil {
			return nil, fmt.Errorf("FROM %s: %w", ref, err)
		}
	}
	if !b.o.Pull {
		img, err := b.s.LookupImage(r)
		if err == nil {
			return img, nil
		}
		if !errors.Is(err, store.ErrImageUnknown) {
			return nil, err
		}
		if img, ierr := b.s.LookupID(ref); ierr == nil {
			return img, nil
		}
	}
	po := b.o.PullOpts
	po.Out = b.out
	return pull.Pull(b.ctx, b.s, r, po)
}

// onbuild runs the base image's ONBUILD triggers right after FROM.
func (b *builder) onbuild(run *stageRun, triggers []string) error {
	fmt.Fprintf(b.out, "# Executing %d build trigger", len(triggers))
	if len(triggers) > 1 {
		fmt.Fprint(b.out, "s")
	}
	fmt.Fprintln(b.out)
	res, err := parser.Parse(strings.NewReader(strings.Join(triggers, "\n")))
	if err != nil {
		return fmt.Errorf("ONBUILD trigger: %w", err)
	}
	for _, n := range res.AST.Children {
		cmd, err := instructions.ParseCommand(n)
		if err != nil {
			return fmt.Errorf("ONBUILD trigger: %w", err)
		}
		if err := b.execute(run, cmd); err != nil {
			return err
		}
	}
	return nil
}
