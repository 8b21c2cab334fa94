package build

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// screen is what a terminal shows of out: each line as its last
// redraw left it.
func screen(out string) []string {
	var ls []string
	for _, l := range strings.Split(out, "\n") {
		if i := strings.LastIndex(l, "\r\033[K"); i >= 0 {
			l = l[i+len("\r\033[K"):]
		}
		if l != "" {
			ls = append(ls, l)
		}
	}
	return ls
}

func TestProgress(t *testing.T) {
	for _, tc := range []struct {
		name       string
		log        []string // stream 0 (stdout) unless prefixed "2>"
		err        error
		wantTerm   []string
		wantStdout string
	}{{
		name: "success",
		log: []string{
			"Step 1/3 : FROM busybox", " ---> 1a2b3c4d5e6f",
			"Step 2/3 : RUN make", " ---> Running in abcdef", "compiling", "2>warning: x", "Removing intermediate container abcdef", " ---> 2b3c",
			"Step 3/3 : COPY . /app", " ---> Using cache", " ---> 3c4d",
			"Successfully built 3c4d", "Successfully tagged app:latest",
		},
		wantTerm:   []string{"=> [1/3] FROM busybox  0.0s", "=> [2/3] RUN make  0.0s", "=> CACHED [3/3] COPY . /app"},
		wantStdout: "Successfully built 3c4d\nSuccessfully tagged app:latest\n",
	}, {
		name:     "failure shows the step's output",
		log:      []string{"2>WARNING: # syntax=x is ignored", "Step 1/2 : FROM busybox", " ---> 1a2b", "Step 2/2 : RUN false", " ---> Running in ab", "out line", "2>err line"},
		err:      errors.New("The command '/bin/sh -c false' returned a non-zero code: 1"),
		wantTerm: []string{"WARNING: # syntax=x is ignored", "=> [1/2] FROM busybox  0.0s", "=> ERROR [2/2] RUN false", "   out line", "   err line"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			var term, stdout bytes.Buffer
			p := NewProgress(&term, &stdout, 80)
			at := time.Unix(100, 0)
			p.mu.Lock()
			p.now = func() time.Time { return at }
			p.start = at
			p.mu.Unlock()
			for _, l := range tc.log {
				var w io.Writer = p.Stdout()
				if s, ok := strings.CutPrefix(l, "2>"); ok {
					w, l = p.Stderr(), s
				}
				// Lines arrive in pieces, as a process writes them.
				io.WriteString(w, l[:len(l)/2])
				io.WriteString(w, l[len(l)/2:]+"\n")
			}
			p.Close(tc.err)
			if diff := cmp.Diff(tc.wantTerm, screen(term.String())); diff != "" {
				t.Errorf("terminal (-want +got)\n%s", diff)
			}
			if stdout.String() != tc.wantStdout {
				t.Errorf("stdout %q, want %q", stdout.String(), tc.wantStdout)
			}
		})
	}
}
