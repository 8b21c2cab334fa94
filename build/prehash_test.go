package build

import (
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// TestPrehash: beside a RUN, the context sources of the stage's later
// COPY and ADD steps (expanded with the stage's variables) are hashed
// into the memo under each file's identity, and nothing else: not a
// COPY --from, not a URL, not a file no step names. The commands are
// left unexpanded for their own steps, and the COPY's digest with the
// head start is the digest without it.
func TestPrehash(t *testing.T) {
	files := map[string]string{"other/x": "not copied"}
	for i := range 40 {
		files["src/d"+itoa(i%3)+"/f"+itoa(i)] = strings.Repeat("y", i)
	}
	bc := newContext(t, files, "")
	b := &builder{bc: bc, memo: newHashMemo(), used: map[string]bool{}}
	df := "FROM scratch\nENV D=src\nRUN true\nCOPY $D /app/\nCOPY --from=other /other /x\nADD https://example.com/other/x /y\n"
	if err := b.parse([]byte(df)); err != nil {
		t.Fatal(err)
	}
	cmds := b.stages[0].Commands
	sr := &stageRun{st: &state{cfg: &v1.ConfigFile{Config: v1.Config{Env: []string{"D=src"}}}}, args: map[string]string{}, rest: cmds[2:]}
	b.prehash(sr)()

	es, _, err := bc.contextSources("src")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.src == "" {
			continue
		}
		n++
		if _, ok := b.memo.m[e.memo]; !ok {
			t.Errorf("%s not hashed beside the RUN", e.rel)
		}
	}
	if len(b.memo.m) != n {
		t.Errorf("memo holds %d sums, want the %d files of src", len(b.memo.m), n)
	}
	if got := cmds[2].(*instructions.CopyCommand).SourcePaths[0]; got != "$D" {
		t.Errorf("COPY source %q after prehash, want it unexpanded", got)
	}
	plan := &copyPlan{entries: es, dest: "/app"}
	with, err := plan.digest(b.memo)
	if err != nil {
		t.Fatal(err)
	}
	without, err := plan.digest(newHashMemo())
	if err != nil {
		t.Fatal(err)
	}
	if with != without {
		t.Errorf("digest %s with the head start, %s without", with, without)
	}
}
