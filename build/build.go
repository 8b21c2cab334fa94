package build

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"

	"pocket/reference"
	"pocket/store"
	"pocket/trace"
)

// builder is one build in progress.
type builder struct {
	ctx    context.Context
	s      *store.Store
	o      Options
	bc     *buildContext
	lex    *shell.Lex
	args   map[string]string // --build-arg, resolved
	used   map[string]bool   // build args some ARG declared
	meta   map[string]string // global ARGs (before the first FROM)
	stages []instructions.Stage
	done   map[int]*state
	memo   *hashMemo
	out    io.Writer // Docker's step lines; io.Discard with -q
	step   int
	steps  int
	tmp    string
	// mountDirs are the trees of RUN --mount=type=bind,from=, by name.
	mountDirs map[string]string
}

// Build builds the Dockerfile in o and returns the image ID.
func Build(ctx context.Context, s *store.Store, o Options) (v1.Hash, error) {
	if o.Progress == "tty" && !o.Quiet {
		return buildTTY(ctx, s, o)
	}
	if o.Platform != "" {
		if err := checkPlatform(o.Platform); err != nil {
			return v1.Hash{}, err
		}
	}
	// A build lives for seconds with a small heap that grows by the
	// context's files: at the default GOGC it collects 4 or 5 times
	// for nothing in a no-change rebuild (a third of its CPU time).
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	defer trace.PrintStderr()
	defer trace.CPUProfile()()
	defer trace.Span("build: all of Build")()
	endOpen := trace.Span("build: hold store, temp dir, context")
	release, err := s.Hold()
	if err != nil {
		return v1.Hash{}, err
	}
	defer release()
	// Staged sources and layer tars; a killed build's are removed by
	// the next command that opens the store.
	tmp, releaseTmp, err := s.TempDir()
	if err != nil {
		return v1.Hash{}, err
	}
	defer releaseTmp()
	bc, df, cleanup, err := openContext(o, tmp)
	defer cleanup()
	if err != nil {
		return v1.Hash{}, err
	}
	endOpen()
	endMemo := trace.Span("build: load hash memo")
	memo := loadHashMemo(memoPath(s))
	endMemo()
	b := &builder{ctx: ctx, s: s, o: o, bc: bc, done: map[int]*state{}, memo: memo, out: o.Stdout, tmp: tmp,
		used: map[string]bool{}}
	if o.Quiet || b.out == nil {
		b.out = io.Discard
	}
	endParse := trace.Span("build: parse Dockerfile")
	err = b.parse(df)
	endParse()
	if err != nil {
		return v1.Hash{}, err
	}
	target := len(b.stages) - 1
	if o.Target != "" {
		if target = b.stageIndex(o.Target); target < 0 {
			return v1.Hash{}, fmt.Errorf("failed to reach build target %s in Dockerfile: %w", o.Target, ErrNoStage)
		}
	}
	needed := b.needed(target)
	for i := range b.stages {
		if needed[i] {
			b.steps += 1 + len(b.stages[i].Commands)
		}
	}
	if len(o.Labels) > 0 {
		b.steps++
	}
	for i := 0; i <= target; i++ {
		if !needed[i] {
			continue
		}
		if err := b.buildStage(i, i == target); err != nil {
			return v1.Hash{}, err
		}
	}
	final := b.done[target]
	for k := range b.args {
		if !b.used[k] && !isPredefinedArg(k) {
			fmt.Fprintf(b.out, "[Warning] One or more build-args [%s] were not consumed\n", k)
		}
	}
	id, err := b.finish(final)
	if err == nil {
		// Only a shortcut: a build that cannot save it still succeeded.
		defer trace.Span("build: save hash memo")()
		b.memo.save(memoPath(s))
		// The JSON memo of earlier versions, unread now.
		os.Remove(filepath.Join(s.Root(), "buildcache-memo.json"))
	}
	return id, err
}

// memoPath is where the file-hash memo lives, beside the cache entries.
func memoPath(s *store.Store) string { return filepath.Join(s.Root(), "buildcache-memo") }

// parse reads the Dockerfile with BuildKit's parser and instructions.
func (b *builder) parse(df []byte) error {
	if name, _, _, ok := parser.DetectSyntax(df); ok {
		fmt.Fprintf(b.o.Stderr, "WARNING: # syntax=%s is ignored: pocket builds with its own frontend\n", name)
	}
	res, err := parser.Parse(bytes.NewReader(df))
	if err != nil {
		return fmt.Errorf("dockerfile parse error: %w", err)
	}
	b.lex = shell.NewLex(res.EscapeToken)
	stages, metaArgs, err := instructions.Parse(res.AST, linter.New(&linter.Config{SkipAll: true}))
	if err != nil {
		return fmt.Errorf("dockerfile parse error: %w", err)
	}
	if len(stages) == 0 {
		return errors.New("dockerfile parse error: no build stage in the Dockerfile (a FROM is needed)")
	}
	b.stages = stages
	b.args = map[string]string{}
	for _, a := range b.o.BuildArgs {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			var set bool
			if v, set = os.LookupEnv(k); !set {
				continue
			}
		}
		b.args[k] = v
	}
	b.meta = map[string]string{}
	for _, ma := range metaArgs {
		for _, kv := range ma.Args {
			v := ""
			if kv.Value != nil {
				x, err := b.expand(*kv.Value, envOf(b.meta))
				if err != nil {
					return err
				}
				v = x
			}
			if bv, ok := b.args[kv.Key]; ok {
				v = bv
				b.used[kv.Key] = true
			}
			b.meta[kv.Key] = v
		}
	}
	return nil
}

// stageIndex finds a stage by name or number, or -1.
func (b *builder) stageIndex(name string) int {
	for i, st := range b.stages {
		if strings.EqualFold(st.Name, name) {
			return i
		}
	}
	if n, err := parseIndex(name); err == nil && n < len(b.stages) {
		return n
	}
	return -1
}

// needed marks the stages target depends on: its FROM, COPY --from
// and RUN --mount from=, transitively. Only those are built.
func (b *builder) needed(target int) map[int]bool {
	need := map[int]bool{}
	var visit func(i int)
	visit = func(i int) {
		if need[i] {
			return
		}
		need[i] = true
		deps := []string{b.stageBase(i)}
		for _, c := range b.stages[i].Commands {
			switch c := c.(type) {
			case *instructions.CopyCommand:
				deps = append(deps, c.From)
			case *instructions.RunCommand:
				for _, m := range instructions.GetMounts(c) {
					deps = append(deps, m.From)
				}
			}
		}
		for _, d := range deps {
			if d == "" {
				continue
			}
			if j := b.stageIndex(d); j >= 0 && j < i {
				visit(j)
			}
		}
	}
	visit(target)
	return need
}

// stageBase is a stage's FROM with the global ARGs expanded.
func (b *builder) stageBase(i int) string {
	v, err := b.expand(b.stages[i].BaseName, envOf(b.meta))
	if err != nil {
		return b.stages[i].BaseName
	}
	return v
}

func (b *builder) printStep(text string) {
	b.step++
	fmt.Fprintf(b.out, "Step %d/%d : %s\n", b.step, b.steps, text)
}

// finish stores the final image under its tags and prints Docker's
// closing lines.
func (b *builder) finish(st *state) (v1.Hash, error) {
	if len(b.o.Labels) > 0 {
		parent := st.key
		st = st.next()
		st.key = cacheKey(parent, "LABEL", strings.Join(b.o.Labels, "\x00"))
		text := "LABEL " + strings.Join(b.o.Labels, " ")
		b.printStep(text)
		if st.cfg.Config.Labels == nil {
			st.cfg.Config.Labels = map[string]string{}
		}
		for _, l := range b.o.Labels {
			k, v, _ := strings.Cut(l, "=")
			st.cfg.Config.Labels[k] = v
		}
		if err := b.commit(st, nop(text), nil, v1.Hash{}); err != nil {
			return v1.Hash{}, err
		}
		fmt.Fprintf(b.out, " ---> %s\n", st.id.Hex[:12])
	}
	endTag := trace.Span("build: store image and tags")
	err := b.addImage(st)
	endTag()
	if err != nil {
		return v1.Hash{}, err
	}
	fmt.Fprintf(b.out, "Successfully built %s\n", st.id.Hex[:12])
	for _, t := range b.o.Tags {
		fmt.Fprintf(b.out, "Successfully tagged %s\n", reference.Familiar(t))
	}
	if b.o.Quiet && b.o.Stdout != nil {
		fmt.Fprintln(b.o.Stdout, st.id)
	}
	if b.o.IIDFile != "" {
		if err := os.WriteFile(b.o.IIDFile, []byte(st.id.String()), 0o644); err != nil {
			return v1.Hash{}, fmt.Errorf("write iidfile: %w", err)
		}
	}
	return st.id, nil
}

// addImage puts st in the image index under the tags, unless the index
// has it so already (a rebuild with nothing changed): then nothing is
// written.
func (b *builder) addImage(st *state) error {
	raw, err := b.s.Blob(st.id)
	if err != nil {
		return err
	}
	man := manifest(raw, st)
	if img, err := b.s.ImageByID(st.id); err == nil && (man == nil || img.Manifest == sha256Of(man)) && hasAll(img.Names, b.o.Tags) {
		return nil
	}
	_, err = b.s.AddImage(man, raw, b.o.Tags...)
	return err
}

func hasAll(names []string, tags []name.Reference) bool {
	for _, t := range tags {
		if !slices.Contains(names, reference.Canonical(t)) {
			return false
		}
	}
	return true
}

func sha256Of(b []byte) v1.Hash {
	sum := sha256.Sum256(b)
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
}

// checkPlatform accepts only the host's platform: pocket builds by
// running steps, with no emulation.
func checkPlatform(p string) error {
	want := "linux/" + runtime.GOARCH
	if p == want || p == "linux" || (runtime.GOARCH == "arm64" && p == "linux/arm64/v8") {
		return nil
	}
	return fmt.Errorf("--platform %s: %w: pocket builds for the host's platform (%s) only", p, ErrUnsupported, want)
}

func nop(text string) string { return "/bin/sh -c #(nop)  " + text }
