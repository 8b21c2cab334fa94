package build

import (
	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"pocket/trace"
)

// prehash starts hashing, while a RUN step's container runs, the
// context files the stage's later COPY and ADD steps name, into the
// memo, so that their digests find them hashed: on a cold build the
// RUN (an install step) leaves a core idle, and the COPY after it was
// thousands of reads in a row. It is only a head start: the memo keys
// each sum by the file's identity (device, inode, size, mtime, ctime),
// so a file changed meanwhile is hashed again by its step, and a
// source the step will read otherwise (an ENV set later, a wildcard)
// costs a walk and nothing else. The sources are expanded here, with
// what the stage sees now; the walk and reads run on a goroutine. wait
// returns once they are done, so nothing else uses the context or the
// memo beside a step.
func (b *builder) prehash(sr *stageRun) (wait func()) {
	if b.bc == nil || b.bc.dir == "" {
		return func() {}
	}
	env := sr.env()
	var srcs []string
	for _, cmd := range sr.rest {
		var sd instructions.SourcesAndDest
		switch c := cmd.(type) {
		case *instructions.CopyCommand:
			if c.From != "" {
				continue
			}
			sd = c.SourcesAndDest
		case *instructions.AddCommand:
			sd = c.SourcesAndDest
		default:
			continue
		}
		for _, src := range sd.SourcePaths {
			w, err := b.expand(src, env)
			if err != nil || isURL(w) || isGit(w) {
				continue
			}
			srcs = append(srcs, w)
		}
	}
	if len(srcs) == 0 {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer trace.Span("build: COPY sources hashed beside a RUN")()
		for _, src := range srcs {
			// A source that does not resolve is the step's to report.
			if es, _, err := b.bc.contextSources(src); err == nil {
				b.memo.prefetch(es)
			}
		}
	}()
	return func() { <-done }
}
