//go:build linux

package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// termScreen is what a terminal shows of out: each line as its last
// redraw ("\r\033[K") left it.
func termScreen(out string) string {
	var ls []string
	for _, l := range strings.Split(out, "\n") {
		if i := strings.LastIndex(l, "\r\033[K"); i >= 0 {
			l = l[i+len("\r\033[K"):]
		}
		if l != "" {
			ls = append(ls, l)
		}
	}
	return strings.Join(ls, "\n")
}

// TestBuildProgress: --progress=tty draws BuildKit's compact view on
// stderr (a line per step, CACHED ones marked, a failed step's output in
// full) while stdout keeps the closing lines; plain is the classic log,
// quiet only the image ID.
func TestBuildProgress(t *testing.T) {
	root := newRoot(t)
	ctx := writeContext(t, map[string]string{"Dockerfile": "FROM busybox\nRUN echo built-output\nCOPY Dockerfile /\n"})
	r := mustPocket(t, root, "build", "--progress=tty", "-t", "prog", ctx)
	dur := `  \d+\.\ds`
	want := regexp.MustCompile(`^=> \[1/3\] FROM busybox` + dur + `\n=> \[2/3\] RUN echo built-output` + dur + `\n=> \[3/3\] COPY Dockerfile /` + dur + `$`)
	if s := termScreen(r.Stderr); !want.MatchString(s) || !strings.Contains(r.Stderr, "| built-output") {
		t.Errorf("tty view:\n%s\nraw %q", s, r.Stderr)
	}
	if !regexp.MustCompile(`^Successfully built [0-9a-f]{12}\nSuccessfully tagged prog:latest\n$`).MatchString(r.Stdout) {
		t.Errorf("stdout %q, want the closing lines alone", r.Stdout)
	}
	r = mustPocket(t, root, "build", "--progress=tty", "-t", "prog", ctx)
	if s := termScreen(r.Stderr); !strings.Contains(s, "=> CACHED [2/3] RUN echo built-output\n=> CACHED [3/3] COPY Dockerfile /") {
		t.Errorf("cached rebuild's view:\n%s", s)
	}
	if r := mustPocket(t, root, "build", "--progress=plain", ctx); !strings.Contains(r.Stdout, "Step 2/3 : RUN echo built-output") {
		t.Errorf("plain: %s", r)
	}
	if r := mustPocket(t, root, "build", "--progress=quiet", ctx); !regexp.MustCompile(`^sha256:[0-9a-f]{64}\n$`).MatchString(r.Stdout) {
		t.Errorf("quiet: %s", r)
	}
	os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte("FROM busybox\nRUN echo before-failing; exit 3\n"), 0o644)
	r = pocket(t, root, "build", "--progress=tty", ctx)
	if s := termScreen(r.Stderr); r.Code != 1 || !strings.Contains(s, "=> ERROR [2/2] RUN echo before-failing; exit 3\n   before-failing\n") || !strings.Contains(s, "returned a non-zero code: 3") {
		t.Errorf("failed step: %s\nscreen:\n%s", r, s)
	}
	if r := pocket(t, root, "build", "--progress=fancy", ctx); r.Code != 1 || !strings.Contains(r.Stderr, `invalid progress mode "fancy"`) {
		t.Errorf("--progress=fancy: %s", r)
	}
}
